"""Store a reviewer's standard reason by key, not only as its English text.

Jobs rejected before this migration hold the text alone; the ones whose text is a
standard reason get its key, so the studio can show it translated."""
from django.db import migrations, models

# trust.review.REJECT_REASONS as it stood when this migration was written (frozen: a later
# change of wording must not change what an old row matches).
REJECT_REASONS = {
    "policy": "The request conflicts with the content policy.",
    "sexual": "The request asks for sexual content, which this service does not generate.",
    "violence": "The request asks for graphic violence, which this service does not generate.",
    "real_person": "The request depicts a real, identifiable person in a way the policy does not allow.",
    "minors": "The request could sexualise or endanger minors.",
    "hate": "The request promotes hate or harassment.",
}


def keys_from_texts(apps, schema_editor):
    Job = apps.get_model("jobs", "Job")
    for key, text in REJECT_REASONS.items():
        Job.objects.filter(error_code="rejected_in_review", error_message=text).update(review_reason=key)


class Migration(migrations.Migration):

    dependencies = [
        ("jobs", "0004_job_restyle"),
    ]

    operations = [
        migrations.AddField(
            model_name="job",
            name="review_reason",
            field=models.CharField(blank=True, max_length=32),
        ),
        migrations.RunPython(keys_from_texts, migrations.RunPython.noop),
    ]
