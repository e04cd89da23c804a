"""Web forms; uploads go through the same intake the API uses (jobs.uploads.accept)."""
from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import UserCreationForm
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from hallmark.errors import DomainError

from jobs import uploads
from jobs.serializers import MAX_PROMPT

from . import selectors

SIZE_CHOICES = [(256, "256 × 256"), (512, "512 × 512"), (1024, "1024 × 1024")]
N_CHOICES = [(i, str(i)) for i in range(1, 5)]

# The intake speaks English with a code; the page shows the translated sentence for the code.
UPLOAD_ERRORS = {
    "invalid_image": _("The file is empty."),
    "image_too_large": _("The image is too large: at most 4 MB and 4096 × 4096 pixels."),
    "invalid_image_format": _("This is not a readable PNG, JPEG or WebP image."),
    "invalid_image_size": _("The image must be square."),
    "invalid_mask": _("Paint the area to change: the mask has no transparent pixels, or its size differs from the photo's."),
}


def _upload_error(exc: DomainError) -> forms.ValidationError:
    return forms.ValidationError(UPLOAD_ERRORS.get(exc.code, exc.message), code=exc.code)


class SignupForm(UserCreationForm):
    email = forms.EmailField(label=_("E-mail"), required=True, help_text=_("Used only to reset your password."))

    class Meta(UserCreationForm.Meta):
        model = get_user_model()
        fields = ("username", "email")


class _ImageOptions(forms.Form):
    n = forms.TypedChoiceField(label=_("Number of images"), choices=N_CHOICES, coerce=int, initial=1)
    size = forms.TypedChoiceField(label=_("Size"), choices=SIZE_CHOICES, coerce=int, initial=256)
    seed = forms.IntegerField(label=_("Seed (optional)"), required=False, min_value=0, max_value=2**63 - 1,
                              help_text=_("The same seed and prompt give the same picture."))


class CreateForm(_ImageOptions):
    prompt = forms.CharField(label=_("Prompt"), max_length=MAX_PROMPT, widget=forms.Textarea(attrs={"rows": 3}),
                             help_text=_("Describe the picture you want."))
    field_order = ["prompt", "n", "size", "seed"]


class EditForm(_ImageOptions):
    image = forms.FileField(label=_("Photo"), help_text=_("PNG, JPEG or WebP, up to 4 MB."),
                            widget=forms.ClearableFileInput(attrs={"accept": "image/png,image/jpeg,image/webp"}))
    mask = forms.FileField(label=_("Mask (optional without the painter)"), required=False,
                           help_text=_("A PNG whose transparent pixels mark the area to change."))
    prompt = forms.CharField(label=_("What to put there"), max_length=MAX_PROMPT, widget=forms.Textarea(attrs={"rows": 2}))
    field_order = ["image", "mask", "prompt", "n", "size", "seed"]

    def clean(self):
        data = super().clean()
        image, mask = data.get("image"), data.get("mask")
        if image is None:
            return data
        try:
            data["upload"] = uploads.accept(image, mask=mask, kind="edit")
        except DomainError as exc:
            raise _upload_error(exc)
        return data


class VaryForm(_ImageOptions):
    image = forms.FileField(label=_("Upload an image"), required=False,
                            widget=forms.ClearableFileInput(attrs={"accept": "image/png,image/jpeg,image/webp"}))
    pick = forms.UUIDField(label=_("…or pick one from your gallery"), required=False)
    field_order = ["image", "pick", "n", "size", "seed"]

    def __init__(self, *args, owner=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.owner = owner

    def clean(self):
        data = super().clean()
        image, pick = data.get("image"), data.get("pick")
        if image is None and pick is None:
            raise forms.ValidationError(_("Upload an image or pick one from your gallery."), code="required")
        try:
            if image is not None:
                data["upload"] = uploads.accept(image, kind="variation")
            else:
                # Only the owner's images can be picked: another account's id is "not found".
                try:
                    chosen = selectors.image_for_owner(user=self.owner, image_id=pick)
                except Http404:
                    raise forms.ValidationError(_("That image is not in your gallery."), code="not_found")
                with chosen.file.open("rb") as fh:
                    data["upload"] = uploads.accept(fh, kind="variation")
        except DomainError as exc:
            raise _upload_error(exc)
        return data


class RestyleForm(_ImageOptions):
    image = forms.FileField(label=_("Photo"), help_text=_("PNG, JPEG or WebP, up to 4 MB. Its layout is kept."),
                            widget=forms.ClearableFileInput(attrs={"accept": "image/png,image/jpeg,image/webp"}))
    prompt = forms.CharField(label=_("Restyle it as"), max_length=MAX_PROMPT, widget=forms.Textarea(attrs={"rows": 2}),
                             help_text=_("The look you want, such as “a watercolour painting”."))
    from_prompt = forms.CharField(label=_("What the photo is now (optional)"), max_length=MAX_PROMPT, required=False,
                                  help_text=_("A short caption of the photo; “a photo” if left empty."))
    amount = forms.FloatField(label=_("Amount"), min_value=0.0, max_value=1.0, initial=0.5,
                              help_text=_("0 keeps the photo, 1 follows the text the most."),
                              widget=forms.NumberInput(attrs={"type": "range", "min": "0", "max": "1", "step": "0.05"}))
    field_order = ["image", "prompt", "from_prompt", "amount", "n", "size", "seed"]

    def clean(self):
        data = super().clean()
        image = data.get("image")
        if image is None:
            return data
        try:
            data["upload"] = uploads.accept(image, kind="restyle")
        except DomainError as exc:
            raise _upload_error(exc)
        return data


class VerifyForm(forms.Form):
    file = forms.FileField(label=_("Image to check"),
                           help_text=_("Any image: a download from Hallmark, a screenshot, a re-compressed copy."))

    MAX_BYTES = 20 * 1024 * 1024

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > self.MAX_BYTES:
            raise forms.ValidationError(_("The file is larger than 20 MB."), code="file_too_large")
        return upload


class ApiKeyForm(forms.Form):
    name = forms.CharField(label=_("Key name"), max_length=50, required=False,
                           help_text=_("A label to tell your keys apart, such as the app that uses it."))
