from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.urls import reverse
from django.utils.html import format_html

from accounts.audit import audit_record
from accounts.models import AuditEvent, Mentorship, User
from accounts.services import account_erase


class UserCreationForm(AdminUserCreationForm):
    class Meta:
        model = User
        fields = ("email",)


class UserEditForm(UserChangeForm):
    class Meta:
        model = User
        fields = "__all__"


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    form = UserEditForm
    add_form = UserCreationForm
    ordering = ("email",)
    list_display = ("email", "display_name", "time_zone", "is_mentor", "is_staff", "is_active", "date_joined")
    list_filter = ("is_mentor", "is_staff", "is_superuser", "is_active")
    search_fields = ("email", "display_name")
    readonly_fields = ("last_login", "date_joined", "learning")
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        ("Profile", {"fields": ("display_name", "time_zone", "email_verified_at")}),
        ("Learning", {"fields": ("learning",)}),
        ("Roles", {"fields": ("is_mentor", "is_active", "is_staff", "is_superuser", "groups", "user_permissions")}),
        ("Dates", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "usable_password", "password1", "password2")}),)

    @admin.display(description="Roadmaps and progress")
    def learning(self, obj: User) -> str:
        """Links to the learner's roadmaps (with their milestones) and progress log, read-only."""
        if obj.pk is None:
            return "-"
        roadmaps = reverse("admin:roadmaps_roadmap_changelist") + f"?learner__id__exact={obj.pk}"
        entries = reverse("admin:roadmaps_progressentry_changelist") + f"?learner__id__exact={obj.pk}"
        return format_html('<a href="{}">Roadmaps</a> · <a href="{}">Progress log</a>', roadmaps, entries)

    # Staff actions on user data are audited: which fields changed (not their values), and deletions,
    # which go through the same erasure as an account deleted from the app.
    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change and form.changed_data:
            audit_record(
                action=AuditEvent.Action.STAFF_USER_CHANGED,
                actor=request.user,
                target_user=obj,
                changes={"fields": sorted(form.changed_data)},
            )

    def delete_model(self, request, obj):
        account_erase(user=obj, by=request.user)

    def delete_queryset(self, request, queryset):
        for user in queryset:
            account_erase(user=user, by=request.user)


@admin.register(Mentorship)
class MentorshipAdmin(admin.ModelAdmin):
    list_display = ("id", "mentor", "learner", "state", "invitee_email", "created_at", "responded_at", "ended_at")
    list_filter = ("state",)
    search_fields = ("mentor__email", "learner__email", "invitee_email", "code")
    list_select_related = ("mentor", "learner")
    autocomplete_fields = ("mentor", "learner", "invited_by", "ended_by")
    readonly_fields = ("created_at",)


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Read only, for everyone: the trail is appended by the application and never edited."""

    list_display = ("created_at", "action", "actor", "target_user", "by_staff", "ip", "object_type", "object_id")
    list_filter = ("action", "by_staff")
    search_fields = ("actor__email", "target_user__email", "ip", "object_id")
    list_select_related = ("actor", "target_user")
    date_hierarchy = "created_at"

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
