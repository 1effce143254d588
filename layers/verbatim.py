"""Rendered map text is never compiled again as a template.

branca renders every map element through Jinja, then wraps the *output* in a
new ``Element(output)``, and ``Element`` compiles the string it is given as a
Jinja template. Map output holds text from data (park names, industries, file
names in the source line), and neither ``html.escape`` nor ``tojson`` escapes
braces, so a park called ``{{ 7*7 }}号园`` showed as ``49号园``, a name like
``坏模板{{园`` made every map fail to build, and a crafted name could run code on
the server. folium and streamlit-folium create such elements in a dozen
places (``MacroElement.render``, ``Popup.render``, ``GeoJsonTooltip.render``,
the class includes of ``Map``...).

:func:`install` closes this where the strings are compiled: an ``Element``
given a template string keeps it as text and renders it unchanged. The only
strings still compiled are branca's own child-rendering loops (written in
branca, not built from data). A template loaded by name, and every element
class's own ``_template`` (folium's and ours: compiled when the class is
defined, from text in the source code), render as before: data text reaches
them only as a variable value, which Jinja never compiles.

Importing :mod:`layers` installs it, so every map the product builds (the
dashboard through streamlit-folium, the exported ``map.html``) is covered.
"""

from __future__ import annotations

from typing import Any

from branca import element as branca_element

# branca's children loops, as written in branca/element.py (Figure.html and Element's default)
_BRANCA_LOOPS = frozenset(
    {
        "{% for name, element in this._children.items() %}{{element.render(**kwargs)}}{% endfor %}",
        "{% for name, element in this._children.items() %}\n    {{element.render(**kwargs)}}{% endfor %}",
    }
)


class VerbatimTemplate:
    """Stands in for a compiled template: renders to its text, unchanged.

    Like Jinja, it drops one trailing newline, so text without template syntax
    renders to the very same bytes as before.
    """

    __slots__ = ("text",)

    def __init__(self, text: str) -> None:
        self.text = text.removesuffix("\n")

    def render(self, *args: Any, **kwargs: Any) -> str:
        """Return the text as given (the arguments a Jinja template would take are ignored).

        Parameters
        ----------
        *args, **kwargs
            What a Jinja template's ``render`` would take; ignored.

        Returns
        -------
        str
            The text as given.
        """
        return self.text


def _template_for(text: str) -> Any:
    if text in _BRANCA_LOOPS:
        return branca_element.Template(text)
    return VerbatimTemplate(text)


_stock_init = branca_element.Element.__init__
_stock_setstate = branca_element.Element.__setstate__


def _element_init(self: branca_element.Element, template: str | None = None, template_name: str | None = None) -> None:
    _stock_init(self, template=None, template_name=template_name)
    self._template_str = template
    if template is not None:
        self._template = _template_for(template)


def _element_setstate(self: branca_element.Element, state: dict) -> None:
    # unpickling (Streamlit's cache) rebuilds the template from its string: the same rule applies
    if state.get("_template_str") is not None:
        state["_template"] = _template_for(state["_template_str"])
    elif state.get("_template_name") is not None:
        state["_template"] = branca_element.ENV.get_template(state["_template_name"])
    self.__dict__.update(state)


def install() -> None:
    """Make every ``branca.element.Element`` keep a template string as text (idempotent)."""
    branca_element.Element.__init__ = _element_init  # type: ignore[method-assign]
    branca_element.Element.__setstate__ = _element_setstate  # type: ignore[method-assign]


def installed() -> bool:
    """Return True when :func:`install` is in force."""
    return branca_element.Element.__init__ is _element_init
