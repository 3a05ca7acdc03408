"""The ledger and the sends, for staff to follow up: read-only, since the rows are the record
of what was sent; only preferences and devices can be changed here."""

from django.contrib import admin

from notifications.models import Delivery, Device, Notification, Preference, PushMessage, Reminder


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


class DeliveryInline(admin.TabularInline):
    model = Delivery
    extra = 0
    can_delete = False
    fields = ("channel", "state", "attempts", "reason", "sent_at")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Reminder)
class ReminderAdmin(ReadOnlyAdmin):
    list_display = ("id", "kind", "user", "email", "subject_id", "period", "due_at", "state", "reason", "processed_at")
    list_filter = ("state", "kind")
    search_fields = ("user__email", "email", "reason")
    date_hierarchy = "due_at"
    list_select_related = ("user",)
    inlines = [DeliveryInline]


@admin.register(Delivery)
class DeliveryAdmin(ReadOnlyAdmin):
    list_display = ("id", "reminder", "channel", "state", "attempts", "reason", "created_at", "sent_at")
    list_filter = ("channel", "state")
    search_fields = ("reminder__user__email", "reason")
    list_select_related = ("reminder__user",)


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    list_display = ("id", "user", "kind", "title", "created_at", "read_at")
    list_filter = ("kind",)
    search_fields = ("user__email", "title")
    list_select_related = ("user",)


@admin.register(Preference)
class PreferenceAdmin(admin.ModelAdmin):
    list_display = ("user", "preferred_hour", "digest_weekday", "quiet_start", "quiet_end", "daily_cap", "updated_at")
    search_fields = ("user__email",)
    list_select_related = ("user",)
    readonly_fields = ("calendar_token",)


@admin.register(Device)
class DeviceAdmin(admin.ModelAdmin):
    list_display = ("id", "user", "platform", "name", "active", "deactivated_reason", "last_seen_at")
    list_filter = ("platform", "active")
    search_fields = ("user__email", "name")
    list_select_related = ("user",)
    readonly_fields = ("token", "created_at", "last_seen_at")


@admin.register(PushMessage)
class PushMessageAdmin(ReadOnlyAdmin):
    list_display = ("id", "device", "title", "created_at")
    list_select_related = ("device",)
