"""Serializer fields the API's inputs share."""

from rest_framework import serializers


class StringField(serializers.CharField):
    """Text the client sends as a JSON string. DRF's CharField also takes a number (``97.0``, ``-1``)
    and stores its text; here anything but a string is a 400 ``not_a_string``."""

    default_error_messages = {"not_a_string": "Not a string."}

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("not_a_string")
        return super().to_internal_value(data)
