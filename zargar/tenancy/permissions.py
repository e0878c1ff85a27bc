"""Role-based module permissions: which role holds which `<module>.<action>` codename."""

from __future__ import annotations

from .roles import Role

#: Core (non-module) permissions and the least role that holds them.
CORE_PERMISSIONS: dict[str, Role] = {
    "tenancy.manage_members": Role.ADMIN,
    "tenancy.manage_modules": Role.ADMIN,
    "tenancy.manage_api_keys": Role.ADMIN,
}


def role_has_perm(role: Role | str, codename: str) -> bool:
    """True when `role` holds `codename`. Owners hold everything; an unknown codename is refused.

    Module codenames are declared in the module's manifest (`PermissionSpec.min_role`).
    """
    from zargar.contract.registry import get_manifest

    role = Role(role)
    if role == Role.OWNER:
        return True
    if codename in CORE_PERMISSIONS:
        return role.at_least(CORE_PERMISSIONS[codename])
    manifest = get_manifest(codename.split(".", 1)[0])
    if manifest is None:
        return False
    try:
        return role.at_least(manifest.permission(codename).min_role)
    except KeyError:
        return False
