"""Who is using the app: the sign-in form (local accounts or the identity provider), or a note that sign-in is off.

:func:`gate` runs before any page. It returns the signed-in account, or
shows the sign-in form and stops the page. The account lives in this
browser session's ``st.session_state`` only (a password never does); every
write goes through :func:`ui.shared.current_store`, which wraps the store in
a :class:`geo.accounts.guard.GuardedStore` for this account.
"""

from __future__ import annotations

import streamlit as st

from geo.accounts import Account
from geo.accounts import signin as rules
from geo.accounts.book import AccountBook, open_book
from geo.errors import GeoDataError
from geo.store import store_location
from geo.words import t
from ui import shared

ACCOUNT_KEY = shared.ACCOUNT_KEY


def book() -> AccountBook:
    """The account book beside the app's store."""
    return open_book(store_location())


def current_account() -> Account | None:
    """The account signed in in this browser session (None: nobody yet)."""
    found = st.session_state.get(ACCOUNT_KEY)
    return found if isinstance(found, Account) else None


def _role_line(account: Account, lang: str) -> str:
    role = t(f"role_{account.role}", lang)
    if account.county is None:
        return t("signin_as", lang, name=account.display_name or account.name, role=role)
    county = shared.region().county(account.county).label(lang) if account.county in shared.region().county_adcodes else account.county
    return t("signin_as_county", lang, name=account.display_name or account.name, role=role, county=county)


def _sidebar(account: Account, lang: str, *, can_sign_out: bool) -> None:
    with st.sidebar:
        st.caption(shared.md_text(_role_line(account, lang)))
        if can_sign_out and st.button(t("signout_button", lang), key="signout"):
            st.session_state.pop(ACCOUNT_KEY, None)
            if rules.mode(store_location()) == "oidc":
                st.logout()
            st.rerun()


def _local_form(lang: str) -> None:
    st.subheader(t("signin_title", lang))
    st.caption(t("signin_intro", lang))
    with st.form("signin_form", clear_on_submit=False):
        name = st.text_input(t("signin_name", lang), key="signin_name")
        password = st.text_input(t("signin_password", lang), type="password", key="signin_password")
        pressed = st.form_submit_button(t("signin_title", lang), type="primary")
    if pressed:
        try:
            account = rules.sign_in(book(), name, password)
        except GeoDataError as exc:
            st.error(shared.md_text(f"{t('signin_failed', lang)}：{exc}"))
        else:
            st.session_state[ACCOUNT_KEY] = account
            st.session_state.pop("signin_password", None)
            st.rerun()


def _oidc(lang: str) -> Account | None:
    if not st.user.is_logged_in:
        st.subheader(t("signin_title", lang))
        st.caption(t("signin_intro", lang))
        st.button(t("signin_oidc_button", lang), on_click=st.login, type="primary")
        return None
    try:
        return rules.account_from_claims(st.user.to_dict(), book())
    except GeoDataError as exc:
        st.error(shared.md_text(f"{t('signin_failed', lang)}：{exc}"))
        return None


def gate(lang: str) -> Account | None:
    """Return who is using the app, or None while someone must sign in first (the form is drawn then).

    Parameters
    ----------
    lang
        ``zh`` or ``en``.

    Returns
    -------
    Account or None
        The signed-in account, :data:`geo.accounts.SINGLE_USER` when sign-in is off, or None when
        nobody is signed in: the caller draws no page (and no page links) and stops.
    """
    try:
        mode = rules.mode(store_location())
    except GeoDataError as exc:
        st.error(shared.md_text(f"{t('signin_unusable', lang)}：{exc}"))
        st.stop()
    account = rules.signed_out_account(mode) or current_account()
    if account is None and mode == "oidc":
        account = _oidc(lang)
        if account is not None:
            st.session_state[ACCOUNT_KEY] = account
    if account is None:
        if mode == "local":
            _local_form(lang)
        return None
    if mode == "off":
        with st.sidebar:
            st.caption(t("signin_off", lang))
    else:
        _sidebar(account, lang, can_sign_out=True)
    return account
