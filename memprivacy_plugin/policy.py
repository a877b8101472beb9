"""What happens to each span: an action per level, with optional per-type overrides.

The policy is a frozen pydantic model so it can be loaded from a dict, a YAML or a TOML file and
validated once; unknown keys are errors, not silently ignored settings.
"""

from __future__ import annotations

import enum
import json
import string
import sys
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from .errors import ConfigError
from .spans import PrivacySpan
from .taxonomy import PrivacyLevel, normalize_type

__all__ = ["Action", "PrivacyPolicy"]


class Action(str, enum.Enum):
    """What to do with a span.

    keep: send as is. placeholder: reversible typed placeholder, value kept in the local vault.
    redact: irreversible; the value is replaced and stored nowhere. block: refuse the whole call.
    """

    KEEP = "keep"
    PLACEHOLDER = "placeholder"
    REDACT = "redact"
    BLOCK = "block"

    def __str__(self) -> str:
        return self.value


_DEFAULT_LEVELS: dict[PrivacyLevel, Action] = {
    PrivacyLevel.PL1: Action.KEEP,
    PrivacyLevel.PL2: Action.PLACEHOLDER,
    PrivacyLevel.PL3: Action.PLACEHOLDER,
    PrivacyLevel.PL4: Action.REDACT,
}

# Strictness order, used when a level is missing from a user's policy: fail closed.
_STRICTEST = Action.REDACT


class _ReadOnlyDict(dict[Any, Any]):
    """A dict that refuses changes in place (it still serialises, copies and pickles as a dict)."""

    def _refuse(self, *args: Any, **kwargs: Any) -> None:
        raise TypeError("a PrivacyPolicy is immutable: build a new one, e.g. PrivacyPolicy(levels={...})")

    __setitem__ = __delitem__ = __ior__ = _refuse  # type: ignore[assignment]
    clear = pop = popitem = setdefault = update = _refuse  # type: ignore[assignment]

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (dict(self),))

    def __deepcopy__(self, memo: dict[int, Any]) -> _ReadOnlyDict:
        return self  # immutable, and its keys and values are enums


@lru_cache(maxsize=4096)
def _redaction(redaction_format: str, privacy_type: str) -> str:
    from .placeholders import PLACEHOLDER_RE, placeholder_name

    name = placeholder_name(privacy_type)
    text = redaction_format.format(type=privacy_type, name=name)
    if PLACEHOLDER_RE.search(text):
        text = redaction_format.format(type=privacy_type, name=f"{name}_Redacted")
    return text


class PrivacyPolicy(BaseModel):
    """Per-level actions, per-type overrides and the redaction text.

    `redaction_format` may use `{type}` (the standard type name, e.g. `Password`) and `{name}`
    (its placeholder-safe ASCII form): the default `<{name}>` gives `<Password>`; `[REDACTED]`
    hides even the type. A redaction never carries a number, so it can never be restored.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    # Read-only views once validated: a policy shared by several guards cannot be weakened in place
    # (`policy.levels[PL4] = "keep"` raises); derive a new one with `model_copy(update=...)`.
    levels: dict[PrivacyLevel, Action] = Field(default_factory=lambda: dict(_DEFAULT_LEVELS))
    types: dict[str, Action] = Field(default_factory=dict)
    redaction_format: str = "<{name}>"
    min_score: float = Field(default=0.0, ge=0.0, le=1.0)

    @field_validator("levels", mode="before")
    @classmethod
    def _levels(cls, value: Any) -> Any:
        if isinstance(value, Mapping):
            return {PrivacyLevel(k): v for k, v in value.items()}
        return value

    @field_validator("types", mode="before")
    @classmethod
    def _types(cls, value: Any) -> Any:
        if isinstance(value, Mapping):
            return {normalize_type(str(k)).name: v for k, v in value.items()}
        return value

    @model_validator(mode="after")
    def _complete(self) -> PrivacyPolicy:
        try:
            # Only plain `{type}` and `{name}` fields: no positional fields, no attribute or index
            # access (`{type.upper}`, `{name[0]}`), which would print junk or raise at redaction time.
            fields = [f for _, f, _, _ in string.Formatter().parse(self.redaction_format) if f is not None]
            if any(f not in {"type", "name"} for f in fields):
                raise KeyError(fields)
            sample = self.redaction_format.format(type="Password", name="Password")
        except (KeyError, IndexError, ValueError) as exc:
            raise ValueError(
                f"redaction_format may only use {{type}} and {{name}}: {self.redaction_format!r}"
            ) from exc
        from .placeholders import PLACEHOLDER_RE

        if PLACEHOLDER_RE.search(sample):  # a redaction must never be restorable to a vault value
            raise ValueError(f"redaction_format must not look like a placeholder: {self.redaction_format!r}")
        full = dict(self.levels)
        for lvl in PrivacyLevel:  # a level the user forgot is treated as strictly as possible, except PL1
            if lvl not in full:
                full[lvl] = Action.KEEP if lvl is PrivacyLevel.PL1 else _STRICTEST
        object.__setattr__(self, "levels", _ReadOnlyDict({lvl: full[lvl] for lvl in PrivacyLevel}))
        object.__setattr__(self, "types", _ReadOnlyDict(self.types))
        return self

    # -- decisions -----------------------------------------------------------------------------

    def action_for(self, span: PrivacySpan) -> Action:
        """The action for one span: a type override if there is one, else the level's action.
        A span below `min_score` is kept only if its level's action would also keep it."""
        info = normalize_type(span.privacy_type)
        action = self.types.get(info.name) or self.types.get(span.privacy_type) or self.levels[span.level]
        if span.score < self.min_score and self.levels[span.level] is Action.KEEP:
            return Action.KEEP
        return action

    def redaction_for(self, privacy_type: str) -> str:
        """The redaction text for a type. It must never read as a placeholder (a custom type such
        as "Level 2" would give `<Level_2>`), so such a name gets a `_Redacted` suffix."""
        return _redaction(self.redaction_format, privacy_type)

    def protected_levels(self) -> list[PrivacyLevel]:
        """Levels whose values never reach the cloud in clear under this policy."""
        return [lvl for lvl, act in self.levels.items() if act is not Action.KEEP]

    # -- presets -------------------------------------------------------------------------------

    @classmethod
    def _of(
        cls, *, keep: tuple[str, ...] = (), placeholder: tuple[str, ...] = (), redact: tuple[str, ...] = ()
    ) -> PrivacyPolicy:
        levels = {
            PrivacyLevel(lvl): act
            for act, lvls in ((Action.KEEP, keep), (Action.PLACEHOLDER, placeholder), (Action.REDACT, redact))
            for lvl in lvls
        }
        return cls(levels=levels)

    @classmethod
    def default(cls) -> PrivacyPolicy:
        """PL4 redacted (zero retention), PL3 and PL2 placeholders, PL1 kept."""
        return cls()

    @classmethod
    def pl4_only(cls) -> PrivacyPolicy:
        """Only credentials and secrets are protected (redacted); everything else is sent."""
        return cls._of(keep=("PL1", "PL2", "PL3"), redact=("PL4",))

    @classmethod
    def pl3_and_up(cls) -> PrivacyPolicy:
        """Highly sensitive data becomes placeholders, secrets are redacted, identifiers are sent."""
        return cls._of(keep=("PL1", "PL2"), placeholder=("PL3",), redact=("PL4",))

    @classmethod
    def pl2_and_up(cls) -> PrivacyPolicy:
        """Everything identifiable is protected: the default policy."""
        return cls.default()

    @classmethod
    def placeholder_all(cls) -> PrivacyPolicy:
        """Every extracted level becomes a reversible placeholder, PL4 included (kept encrypted locally)."""
        return cls._of(keep=("PL1",), placeholder=("PL2", "PL3", "PL4"))

    @classmethod
    def preset(cls, name: str) -> PrivacyPolicy:
        """A preset by name: `default`, `pl4-only`, `pl3-and-up`, `pl2-and-up`, `placeholder-all`."""
        key = name.strip().lower().replace("_", "-").replace("+", "-and-up")
        presets = {
            "default": cls.default,
            "pl4-only": cls.pl4_only,
            "pl3-and-up": cls.pl3_and_up,
            "pl2-and-up": cls.pl2_and_up,
            "placeholder-all": cls.placeholder_all,
        }
        if key not in presets:
            raise ConfigError(f"unknown policy preset {name!r}; choose one of: {', '.join(presets)}")
        return presets[key]()

    # -- loading -------------------------------------------------------------------------------

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> PrivacyPolicy:
        """Validate a mapping; a `preset` key starts from that preset and the rest overrides it."""
        try:
            data = dict(data)
            preset = data.pop("preset", None)
            if preset is not None:
                base = cls.preset(str(preset)).model_dump()
                overrides = data.pop("levels", None) or {}
                if not isinstance(overrides, Mapping):
                    raise ConfigError("invalid policy: levels: must be a mapping of level to action")
                levels = {**base["levels"], **{PrivacyLevel(k): v for k, v in overrides.items()}}
                data = {**base, **data, "levels": levels}
            return cls.model_validate(data)
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first["loc"]) or "policy"
            raise ConfigError(f"invalid policy: {where}: {first['msg']}") from None
        except (TypeError, ValueError) as exc:
            if isinstance(exc, ConfigError):
                raise
            raise ConfigError(f"invalid policy: {exc}") from None

    @classmethod
    def from_file(cls, path: str | Path) -> PrivacyPolicy:
        """Load a policy from a `.yaml`/`.yml`, `.toml` or `.json` file."""
        path = Path(path)
        try:
            raw = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise ConfigError(f"cannot read policy file {path}: {exc.strerror or exc}") from None
        except UnicodeDecodeError:
            raise ConfigError(f"policy file {path} is not UTF-8 text") from None
        suffix = path.suffix.lower()
        try:
            if suffix in {".yaml", ".yml"}:
                import yaml

                data = yaml.safe_load(raw)
            elif suffix == ".toml":
                if sys.version_info >= (3, 11):
                    import tomllib
                else:  # pragma: no cover - Python 3.10
                    import tomli as tomllib
                data = tomllib.loads(raw)
            elif suffix == ".json":
                data = json.loads(raw)
            else:
                raise ConfigError(f"policy file {path} must end in .yaml, .yml, .toml or .json")
        except ConfigError:
            raise
        except Exception as exc:  # each parser has its own error class; all mean "not parseable"
            raise ConfigError(f"cannot parse policy file {path}: {str(exc).splitlines()[0]}") from None
        if not isinstance(data, Mapping):
            raise ConfigError(f"policy file {path} must hold a mapping at the top level")
        return cls.from_dict(data)

    @classmethod
    def load(cls, source: PrivacyPolicy | Mapping[str, Any] | str | Path | None) -> PrivacyPolicy:
        """Accept a policy, a mapping, a preset name or a file path (None: the default)."""
        if source is None:
            return cls.default()
        if isinstance(source, PrivacyPolicy):
            return source
        if isinstance(source, Mapping):
            return cls.from_dict(source)
        if isinstance(source, str) and not Path(source).suffix:
            return cls.preset(source)
        return cls.from_file(source)
