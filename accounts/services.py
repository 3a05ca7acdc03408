from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from accounts.models import User, normalize_email_address


@transaction.atomic
def user_register(*, email: str, password: str, display_name: str = "", time_zone: str = "UTC") -> User:
    user = User(email=normalize_email_address(email), display_name=display_name, time_zone=time_zone)
    try:
        validate_password(password, user=user)
    except ValidationError as error:
        raise ValidationError({"password": error.error_list}) from None
    user.set_password(password)
    user.full_clean(exclude=["password"])
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError:  # registered concurrently between the check and the insert
        raise ValidationError({"email": ["A user with this email already exists."]}) from None
    return user


def user_update(*, user: User, **fields) -> User:
    changed = [name for name, value in fields.items() if getattr(user, name) != value]
    for name in changed:
        setattr(user, name, fields[name])
    if changed:
        user.full_clean(exclude=["password"])
        user.save(update_fields=changed)
    return user
