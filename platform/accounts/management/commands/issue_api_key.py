from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from accounts.models import ALL_SCOPES
from accounts.services import ApiKeyRequestInvalid, api_key_create, user_get_or_create


class Command(BaseCommand):
    help = "Create an API key for USERNAME and print the raw key as the last line (it is shown only once)."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--create-user", action="store_true", help="Create the user if it does not exist.")
        parser.add_argument("--name", default="cli", help="A name for the key.")
        parser.add_argument("--scopes", default=",".join(ALL_SCOPES), help="Comma-separated scopes.")
        parser.add_argument("--expires-days", type=int, default=None, help="Days until the key expires.")

    def handle(self, *args, username, create_user, name, scopes, expires_days, **options):
        from django.contrib.auth import get_user_model

        User = get_user_model()
        if create_user:
            user, _ = user_get_or_create(username=username)
        else:
            try:
                user = User.objects.get(username=username)
            except User.DoesNotExist:
                raise CommandError(f"No user {username!r}; pass --create-user to create one.")
        expires = timezone.now() + timezone.timedelta(days=expires_days) if expires_days else None
        try:
            key, raw = api_key_create(user=user, name=name, scopes=[s for s in scopes.split(",") if s], expires=expires)
        except ApiKeyRequestInvalid as exc:
            raise CommandError(str(exc))
        self.stderr.write(f"Created key {key.prefix} ({key.name!r}) for {user.username}; it is not shown again.")
        self.stdout.write(raw)
