"""Two-factor views (placeholder; see issue 2 §3)."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render


@login_required
def two_factor_verify(request):
    return render(request, "account/two_factor_verify.html")


@login_required
def two_factor_setup(request):
    return render(request, "account/two_factor_setup.html")
