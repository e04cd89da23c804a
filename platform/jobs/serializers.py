"""Small input serializers for each operation, in OpenAI's request shapes."""
from rest_framework import serializers

SIZES = {"256x256": 256, "512x512": 512, "1024x1024": 1024}
MODELS = ("dall-e-2", "hallmark-unclip")
MAX_PROMPT = 1000  # OpenAI's limit for dall-e-2


class _Common(serializers.Serializer):
    model = serializers.CharField(required=False, allow_null=True, allow_blank=True)
    n = serializers.IntegerField(required=False, default=1, min_value=1, max_value=10)
    size = serializers.ChoiceField(choices=list(SIZES), required=False, default="1024x1024")
    response_format = serializers.ChoiceField(choices=["url", "b64_json"], required=False, default="url")
    user = serializers.CharField(required=False, allow_blank=True, max_length=256, default="")
    seed = serializers.IntegerField(required=False, allow_null=True, min_value=0, max_value=2**63 - 1, default=None)

    def validate_model(self, value):
        if value and value not in MODELS:
            raise serializers.ValidationError(f"Unknown model {value!r}; use one of {', '.join(MODELS)}.", code="model_not_found")
        return value

    def validate_size(self, value):
        return SIZES[value]


class _Prompt(serializers.Serializer):
    prompt = serializers.CharField(max_length=MAX_PROMPT, trim_whitespace=True)


class GenerationIn(_Prompt, _Common):
    pass


# allow_empty_file: an empty upload is the intake's to refuse, with its code (invalid_image).
class EditIn(_Prompt, _Common):
    image = serializers.FileField(allow_empty_file=True)
    mask = serializers.FileField(required=False, allow_null=True, allow_empty_file=True)


class VariationIn(_Common):
    image = serializers.FileField(allow_empty_file=True)


class RestyleIn(_Prompt, _Common):
    """A Hallmark extension: ``prompt`` is the target look; the photo's layout is kept."""

    image = serializers.FileField(allow_empty_file=True)
    from_prompt = serializers.CharField(max_length=MAX_PROMPT, trim_whitespace=True, required=False, allow_blank=True,
                                        default="", help_text='The caption the photo starts from (default "a photo").')
    amount = serializers.FloatField(min_value=0.0, max_value=1.0, required=False, default=0.5,
                                    help_text="How far, 0..1, the photo moves toward the prompt.")

    def validate_amount(self, value):
        if value != value:  # NaN passes min/max comparisons
            raise serializers.ValidationError("amount must be a number between 0 and 1.")
        return value


class ModerationIn(serializers.Serializer):
    input = serializers.JSONField()
    model = serializers.CharField(required=False, allow_blank=True, allow_null=True)

    def validate_input(self, value):
        items = [value] if isinstance(value, str) else value
        if not isinstance(items, list) or not items or not all(isinstance(x, str) for x in items):
            raise serializers.ValidationError("input must be a string or a non-empty list of strings.")
        if len(items) > 32:
            raise serializers.ValidationError("At most 32 inputs per request.")
        if any(len(x) > 32_000 for x in items):
            raise serializers.ValidationError("Each input must be at most 32000 characters.")
        return items


class JobIn(serializers.Serializer):
    kind = serializers.ChoiceField(choices=["generation", "edit", "variation", "restyle"], default="generation")


class VerifyIn(serializers.Serializer):
    file = serializers.FileField(allow_empty_file=True)
