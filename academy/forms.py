from django import forms
from django.contrib.auth.forms import UserCreationForm
from django.contrib.auth.models import User


class SignupForm(UserCreationForm):
    email = forms.EmailField(required=False, help_text="Optional; used for TA replies when you are away.")

    class Meta(UserCreationForm.Meta):
        model = User
        fields = ("username", "email")
