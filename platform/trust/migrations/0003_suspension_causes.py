from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("trust", "0002_append_only_triggers")]

    operations = [
        migrations.AddField(model_name="suspension", name="causes",
                            field=models.JSONField(blank=True, default=list)),
    ]
