from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from core.choices import Role


@login_required
def home(request):
    roles = request.user.roles
    return render(
        request,
        "core/home.html",
        {
            "role_labels": [Role(role).label for role in sorted(roles)],
            "is_data_admin": Role.DATA_ADMIN in roles,
        },
    )
