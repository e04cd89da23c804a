from django.conf import settings
from django.db import models
from rest_framework_api_key.models import AbstractAPIKey

SCOPE_IMAGES = "images"
SCOPE_MODERATION = "moderation"
ALL_SCOPES = (SCOPE_IMAGES, SCOPE_MODERATION)


def _all_scopes() -> list[str]:
    return list(ALL_SCOPES)


class ApiKey(AbstractAPIKey):
    """A partner key: only its hash is stored (djangorestframework-api-key)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_keys")
    scopes = models.JSONField(default=_all_scopes)
    last_used = models.DateTimeField(null=True, blank=True)

    class Meta(AbstractAPIKey.Meta):
        verbose_name = "API key"
        verbose_name_plural = "API keys"

    @property
    def status(self) -> str:
        if self.revoked:
            return "revoked"
        if self.has_expired:
            return "expired"
        return "active"
