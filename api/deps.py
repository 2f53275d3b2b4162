"""Annotated dependencies shared by the routers."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, HTTPException, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from api.auth import Caller, Role, TokenBook
from ledger.application import CreditLedger
from ledger.runtime import Runtime
from ledger.settings import Settings

bearer = HTTPBearer(auto_error=False)


def get_runtime(request: Request) -> Runtime:
    runtime: Runtime = request.app.state.runtime
    return runtime


def get_ledger(request: Request) -> CreditLedger:
    return get_runtime(request).ledger


def get_settings(request: Request) -> Settings:
    return get_runtime(request).settings


RuntimeDep = Annotated[Runtime, Depends(get_runtime)]
LedgerDep = Annotated[CreditLedger, Depends(get_ledger)]
SettingsDep = Annotated[Settings, Depends(get_settings)]


def authenticated(
    request: Request, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]
) -> Caller:
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise HTTPException(401, "missing bearer token", headers={"WWW-Authenticate": "Bearer"})
    tokens: TokenBook = request.app.state.tokens
    caller = tokens.caller(credentials.credentials)
    if caller is None:
        raise HTTPException(401, "unknown bearer token", headers={"WWW-Authenticate": "Bearer"})
    return caller


def require(*roles: Role) -> object:
    def check(caller: Annotated[Caller, Depends(authenticated)]) -> Caller:
        if caller.role not in roles and caller.role != Role.ADMIN:
            wanted = " or ".join(r.value for r in roles)
            raise HTTPException(403, f"role {caller.role.value} may not do this; needs {wanted}")
        return caller

    return Depends(check)


Provider = Annotated[Caller, require(Role.PROVIDER)]
Officer = Annotated[Caller, require(Role.OFFICER)]
Auditor = Annotated[Caller, require(Role.AUDITOR)]
Admin = Annotated[Caller, require(Role.ADMIN)]
Personnel = Annotated[Caller, require(Role.PERSONNEL)]
PersonnelOrAuditor = Annotated[Caller, require(Role.PERSONNEL, Role.AUDITOR)]
