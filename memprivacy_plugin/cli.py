"""The `memprivacy` command: protect and restore text, see, export and forget a user's vault, run the
demo, show the configuration (`doctor`, in `_doctor`).

Every error the library raises on purpose, and every `OSError` reading the input or writing the
output (a full disk, a closed terminal), becomes one line on stderr and exit status 2, and so does
a closed standard input or output; nothing here prints a protected value unless the user asks to
see their own (`vault list --reveal`, `vault export`).

Standard input is read in chunks up to `--max-bytes` (16 MiB by default); more is refused.

Text that is not UTF-8 (argument bytes arrive as lone surrogates through Python's
`surrogateescape`) cannot be checked for private data as the bytes were meant: `protect` refuses
it (a GBK `验证码482913` would otherwise lose its key word to mojibake and go out in clear), and so
does a `--user-id`, `--namespace` or `--user-name` that is not UTF-8. `restore` only puts values
back on this machine, so it restores around undecodable bytes and writes them back as they came.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import ConfigError, MemPrivacyError

if TYPE_CHECKING:
    from .guard import PrivacyGuard
    from .vault.base import Vault

__all__ = ["main"]


#: Bytes of standard input read at most, unless `--max-bytes` says otherwise.
MAX_INPUT_BYTES = 16 * 1024 * 1024
_CHUNK = 1 << 16
_NOT_UTF8 = "the input is not valid UTF-8 text; nothing was protected"


def _text_arg(args: argparse.Namespace, *, strict: bool) -> str:
    """The TEXT argument, or standard input for '-'. With `strict` (protect), text that is not
    UTF-8 is refused; else its undecodable bytes become lone surrogates, as in argv."""
    text = _read_stdin(args.max_bytes, strict=strict) if args.text == "-" else args.text
    if strict and not _is_text(text):
        raise ConfigError(_NOT_UTF8)
    if not text.strip():
        raise ConfigError("the text is empty; pass a message or '-' to read standard input")
    return text


def _read_stdin(limit: int, *, strict: bool) -> str:
    """At most `limit` bytes of standard input, read in chunks, as text."""
    stream = sys.stdin
    if stream is None:  # started with standard input closed (`<&-`)
        raise ConfigError("cannot read standard input: it is closed")
    too_long = f"standard input is longer than {limit} bytes (--max-bytes); nothing was read"
    buffer = getattr(stream, "buffer", None)
    try:
        if buffer is None:  # replaced by a text stream (tests, embedding): a character is a byte or more
            text: str = stream.read(limit + 1)
            if len(text) > limit or len(text.encode("utf-8", "surrogatepass")) > limit:
                raise ConfigError(too_long)
            return text
        chunks: list[bytes] = []
        size = 0
        while size <= limit:
            chunk = buffer.read(min(_CHUNK, limit + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
    except OSError as exc:
        raise ConfigError(f"cannot read standard input: {exc.strerror or type(exc).__name__}") from None
    if size > limit:
        raise ConfigError(too_long)
    data = b"".join(chunks)
    del chunks
    if not strict:
        return data.decode("utf-8", "surrogateescape")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass  # raised below, outside this block: the decode error holds the bytes
    raise ConfigError(_NOT_UTF8)


def _print(text: str) -> None:
    """Print a line; lone surrogates (undecodable input bytes) are written back as those bytes."""
    try:
        print(text)
    except UnicodeEncodeError:
        encoding = getattr(sys.stdout, "encoding", None) or "utf-8"
        sys.stdout.flush()
        sys.stdout.buffer.write(text.encode(encoding, "surrogateescape") + b"\n")


def _is_text(value: str) -> bool:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _check_ids(args: argparse.Namespace) -> None:
    """User ids and namespaces are stored and hashed as UTF-8, and a user name is read by the
    extractor: refuse ones that are not text."""
    for option, attr in (
        ("--user-id", "user_id"),
        ("--namespace", "namespace"),
        ("--user-name", "user_name"),
    ):
        value = getattr(args, attr, None)
        if isinstance(value, str) and not _is_text(value):
            raise ConfigError(f"{option} is not valid UTF-8 text")


def _open_vault(args: argparse.Namespace) -> Vault:
    """The SQLite file (--vault), or a vault shared by app replicas on PostgreSQL (--postgres)."""
    if getattr(args, "postgres", None):
        if args.vault is not None:
            raise ConfigError("pass either --vault or --postgres, not both")
        from .vault.postgres import PostgresVault

        return PostgresVault(args.postgres, key_file=args.key_file, schema=args.schema)
    from .vault.sqlite import SQLiteVault

    return SQLiteVault(args.vault, key_file=args.key_file)


_GENERATIVE = ("vllm", "served", "transformers")


def _extractor(args: argparse.Namespace) -> Any:
    from .extractors.presets import build_extractor

    options: dict[str, Any] = {}
    prompt_file = getattr(args, "prompt_file", None)
    if prompt_file is not None:
        if args.extractor not in _GENERATIVE:
            raise ConfigError(f"--prompt-file is for the generative extractors ({', '.join(_GENERATIVE)})")
        from .extractors.prompt import PromptTemplate

        options["template"] = PromptTemplate.from_file(prompt_file)
    try:
        return build_extractor(args.extractor, model=args.model, base_url=args.base_url, **options)
    except ImportError as exc:  # an extra is missing: its message names the pip command
        raise ConfigError(str(exc)) from None


def _guard(args: argparse.Namespace) -> PrivacyGuard:
    from .guard import PrivacyGuard
    from .policy import PrivacyPolicy

    policy = PrivacyPolicy.load(args.policy) if getattr(args, "policy", None) else None
    # The command says what the extractor cannot see itself (see _cmd_protect), not through logging.
    return PrivacyGuard(
        extractor=_extractor(args), vault=_open_vault(args), policy=policy, warn_coverage=False
    )


def _cmd_protect(args: argparse.Namespace) -> int:
    text = _text_arg(args, strict=True)
    guard = _guard(args)
    try:
        result = guard.protect(text, user_id=args.user_id, user_name=args.user_name, namespace=args.namespace)
        gaps = guard.coverage_gaps()
    finally:
        guard.close()
    if gaps and sys.stderr is not None and sys.stderr.isatty():  # for a person, not for a script's log
        from ._coverage import gap_message

        note = gap_message(
            guard.extractor, guard.policy, gaps, silence="this note is shown on a terminal only"
        )
        _error(note, prefix="memprivacy: warning: ")
    if args.json:
        report = {
            "text": result.text,
            "spans": [
                {
                    "start": r.span.start,
                    "end": r.span.end,
                    "privacy_type": r.span.privacy_type,
                    "level": r.span.level.value,
                    "action": r.action.value,
                    "replacement": r.replacement if r.action.value != "keep" else None,
                    "source": r.span.source,
                }
                for r in result.replacements
            ],
            "counts": {lvl.value: n for lvl, n in result.counts.items()},
            "coverage_gaps": gaps,
        }
        print(json.dumps(report, ensure_ascii=False, indent=2))
    else:
        print(result.text)
    return 0


def _cmd_restore(args: argparse.Namespace) -> int:
    text = _text_arg(args, strict=False)
    vault = _open_vault(args)
    from .guard import PrivacyGuard

    guard = PrivacyGuard(vault=vault)
    try:
        _print(guard.restore(text, user_id=args.user_id, namespace=args.namespace))
    finally:
        guard.close()
    return 0


def _cmd_vault_list(args: argparse.Namespace) -> int:
    vault = _open_vault(args)
    entries = vault.entries(args.user_id, namespace=args.namespace)
    if args.json:
        rows = [
            {
                "placeholder": e.placeholder,
                "privacy_type": e.privacy_type,
                "level": e.level.value,
                "namespace": e.namespace,
                **({"value": e.value} if args.reveal else {}),
            }
            for e in entries
        ]
        print(json.dumps(rows, ensure_ascii=False, indent=2))
        return 0
    if not entries:
        print(f"nothing stored for user {args.user_id!r}")
        return 0
    for e in entries:
        value = e.value if args.reveal else "*" * min(len(e.value), 8)
        ns = f"  [{e.namespace}]" if e.namespace else ""
        print(f"{e.placeholder:<32} {e.level.value}  {e.privacy_type:<24} {value}{ns}")
    print(
        f"{len(entries)} value(s)" if args.reveal else f"{len(entries)} value(s); add --reveal to show them"
    )
    return 0


def _cmd_vault_forget(args: argparse.Namespace) -> int:
    if not args.yes:
        if sys.stdin is None or not sys.stdin.isatty():
            raise ConfigError("refusing to delete without confirmation; pass --yes")
        answer = input(f"Delete everything stored for user {args.user_id!r}? [y/N] ")
        if answer.strip().lower() not in {"y", "yes"}:
            print("nothing deleted")
            return 1
    from .guard import PrivacyGuard

    guard = PrivacyGuard(vault=_open_vault(args))  # the one erase: the guard's (see PrivacyGuard.forget)
    try:
        count = guard.forget(user_id=args.user_id, namespace=args.namespace)
    finally:
        guard.close()
    print(f"deleted {count} value(s) for user {args.user_id!r}")
    return 0


def _cmd_vault_export(args: argparse.Namespace) -> int:
    """Everything stored about a user, as JSON (an access request): to stdout, or to a new file
    only the owner can read (0600); an existing file is replaced only with --force."""
    from .guard import PrivacyGuard

    output: Path | None = None if args.output in (None, Path("-")) else args.output
    if output is not None and not args.force and (output.exists() or output.is_symlink()):
        raise ConfigError(f"{output} exists; pass --force to replace it")
    guard = PrivacyGuard(vault=_open_vault(args))
    try:
        export = guard.export(user_id=args.user_id, namespace=args.namespace)
    finally:
        guard.close()
    data = export.model_dump(mode="json")
    text = json.dumps(data, ensure_ascii=False, indent=2)
    if not _is_text(text):  # a value holding undecodable bytes: escaped, so the JSON stays valid UTF-8
        text = json.dumps(data, ensure_ascii=True, indent=2)
    if output is None:
        print(text)
        return 0
    _write_private(output, text + "\n", replace=args.force)
    print(f"exported {len(export.entries)} value(s) for user {args.user_id!r} to {output}")
    return 0


def _write_private(path: Path, text: str, *, replace: bool) -> None:
    """Write `text` to a file of mode 0600: created exclusively (never through a link that exists),
    or, with `replace`, written beside it and renamed over it, so no reader sees half a file."""
    import tempfile

    data = text.encode("utf-8")
    if not replace:
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            raise ConfigError(f"{path} exists; pass --force to replace it") from None
        target = path
    else:
        fd, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        target = Path(name)
    try:
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        if replace:
            os.replace(target, path)
    except BaseException:
        with contextlib.suppress(OSError):
            target.unlink()
        raise


def _cmd_vault_rotate_key(args: argparse.Namespace) -> int:
    """A new data key for new writes, then the old rows re-encrypted under it in batches (the
    vault stays usable throughout); with --new-key-file, a new master key as well."""
    from .vault.crypto import read_key_file
    from .vault.keys import LocalKeyProvider

    vault: Any = _open_vault(args)
    try:
        new_master = LocalKeyProvider(read_key_file(args.new_key_file)) if args.new_key_file else None
        key_id = vault.rotate_key(new_master)
        print(f"data key {key_id} now encrypts new values", file=sys.stderr)
        moved = 0
        if not args.no_reencrypt:
            while batch := vault.reencrypt(batch_size=args.batch_size, max_batches=1):
                moved += batch
                print(f"re-encrypted {moved} value(s)", file=sys.stderr)
        usage = vault.key_usage()
    finally:
        vault.close()
    print(json.dumps({"active_key": key_id, "reencrypted": moved, "rows_per_key": usage}))
    if new_master is not None:
        print(
            "once every replica runs with the new key file, remove the old master's wrappings: "
            "memprivacy vault drop-master --old-key-file OLD --key-file NEW",
            file=sys.stderr,
        )
    return 0


def _cmd_vault_drop_master(args: argparse.Namespace) -> int:
    from .vault.crypto import read_key_file
    from .vault.keys import LocalKeyProvider

    vault: Any = _open_vault(args)
    try:
        dropped = vault.drop_wrappings(LocalKeyProvider(read_key_file(args.old_key_file)).name)
    finally:
        vault.close()
    print(f"removed {dropped} wrapping(s) made by the old master key; it no longer opens the vault")
    return 0


def _cmd_vault_keygen(args: argparse.Namespace) -> int:
    from .vault.crypto import generate_key

    print(generate_key())
    return 0


def _cmd_demo(args: argparse.Namespace) -> int:
    from .demo import run_demo

    return run_demo(
        extractor=_extractor(args),
        vault_path=args.vault,
        data_dir=args.data_dir,
        width=args.width,
        keep=args.keep,
    )


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="memprivacy",
        description="Keep private data out of AI agents' cloud memory: protect text with typed "
        "placeholders before it leaves the device, restore it when it comes back.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--vault",
        type=Path,
        default=None,
        help="vault file (default: vault.sqlite3 in $MEMPRIVACY_DATA_DIR or the user data directory)",
    )
    common.add_argument(
        "--key-file",
        type=Path,
        default=None,
        help="vault key file (default: next to the vault file; with --postgres: $MEMPRIVACY_VAULT_KEY)",
    )
    common.add_argument(
        "--postgres",
        default=None,
        metavar="DSN",
        help="use the vault shared by app replicas in this PostgreSQL database (needs the postgres extra)",
    )
    common.add_argument(
        "--schema", default="memprivacy", help="the PostgreSQL schema of the vault (default: memprivacy)"
    )
    user = argparse.ArgumentParser(add_help=False)
    user.add_argument("--user-id", required=True, help="whose vault to use")
    user.add_argument("--namespace", default=None, help="optional namespace inside the user's vault")
    reading = argparse.ArgumentParser(add_help=False)
    reading.add_argument(
        "--max-bytes",
        type=_positive_int,
        default=MAX_INPUT_BYTES,
        metavar="N",
        help=f"read at most N bytes of standard input (default: {MAX_INPUT_BYTES}, 16 MiB)",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    p = sub.add_parser(
        "protect",
        parents=[common, user, reading],
        help="print the cloud-safe form of a text",
        description="Find private data in TEXT and print what may be sent to the cloud.",
    )
    p.add_argument("text", metavar="TEXT", help="the message ('-' reads standard input)")
    p.add_argument(
        "--user-name", default=None, help="the user's real name, to tell it apart from other people"
    )
    p.add_argument(
        "--policy",
        default=None,
        help="policy file (.yaml/.toml/.json) or preset name "
        "(default, pl4-only, pl3-and-up, pl2-and-up, placeholder-all)",
    )
    _extractor_options(p)
    p.add_argument("--json", action="store_true", help="print the spans found and what was done, as JSON")
    p.set_defaults(func=_cmd_protect)

    r = sub.add_parser(
        "restore",
        parents=[common, user, reading],
        help="put a user's real values back into a text",
        description="Replace the user's placeholders in TEXT by their real values.",
    )
    r.add_argument("text", metavar="TEXT", help="the text to restore ('-' reads standard input)")
    r.set_defaults(func=_cmd_restore)

    v = sub.add_parser("vault", help="see, export, delete or key what is stored about a user")
    vsub = v.add_subparsers(dest="vault_command", metavar="ACTION", required=True)
    vl = vsub.add_parser("list", parents=[common, user], help="list a user's stored values (masked)")
    vl.add_argument("--reveal", action="store_true", help="show the values themselves")
    vl.add_argument("--json", action="store_true", help="print JSON")
    vl.set_defaults(func=_cmd_vault_list)
    vf = vsub.add_parser("forget", parents=[common, user], help="delete everything stored for a user")
    vf.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    vf.set_defaults(func=_cmd_vault_forget)
    ve = vsub.add_parser(
        "export",
        parents=[common, user],
        help="print everything stored about a user as JSON (an access request)",
        description="Print what the vault holds about a user, values included, as JSON: "
        "placeholder, value, type, level, namespace and time of each.",
    )
    ve.add_argument(
        "--output",
        type=Path,
        default=None,
        metavar="FILE",
        help="write to FILE (mode 0600), not stdout",
    )
    ve.add_argument("--force", action="store_true", help="replace FILE if it exists")
    ve.set_defaults(func=_cmd_vault_export)
    vr = vsub.add_parser(
        "rotate-key",
        parents=[common],
        help="encrypt new values with a new data key and re-encrypt the old ones, online",
        description="Add a data key that encrypts every new value, then re-encrypt the stored values "
        "under it in short batches; the vault stays usable by other processes throughout. With "
        "--new-key-file, the data keys are also wrapped by a new master key.",
    )
    vr.add_argument("--new-key-file", type=Path, default=None, help="a new master key file to move to")
    vr.add_argument("--batch-size", type=_positive_int, default=500, metavar="N", help="rows per transaction")
    vr.add_argument("--no-reencrypt", action="store_true", help="only add the key; re-encrypt later")
    vr.set_defaults(func=_cmd_vault_rotate_key)
    vd = vsub.add_parser(
        "drop-master",
        parents=[common],
        help="remove an old master key's wrappings after a move to a new one",
    )
    vd.add_argument("--old-key-file", type=Path, required=True, help="the old master key file")
    vd.set_defaults(func=_cmd_vault_drop_master)
    vk = vsub.add_parser("keygen", help="print a new random vault key (for MEMPRIVACY_VAULT_KEY)")
    vk.set_defaults(func=_cmd_vault_keygen)

    d = sub.add_parser(
        "demo",
        parents=[common],
        help="a scripted conversation through mem0 behind the guard: what the cloud stores and returns",
        description="Run a scripted multi-session conversation (English and Chinese) through "
        "PrivateMemory on an embedded mem0 (local Qdrant and embedder, no LLM), side by side with "
        "what the cloud memory stored, then search it and restore the results. Uses a throw-away "
        "directory unless --vault / --data-dir are given. Needs the mem0 extra.",
    )
    _extractor_options(d)
    d.add_argument(
        "--data-dir",
        type=Path,
        default=None,
        help="where mem0 keeps its data (default: a throw-away directory)",
    )
    d.add_argument(
        "--keep",
        type=Path,
        default=None,
        metavar="DIR",
        help="keep the vault, this memory and the same conversation stored in clear (mem0-before) in DIR, "
        "to audit and migrate (make demo: demo-data)",
    )
    d.add_argument("--width", type=int, default=0, help="output width (default: the terminal's)")
    d.set_defaults(func=_cmd_demo)

    from ._doctor import add_doctor_parser
    from .evaluation.cli import add_eval_parser

    add_doctor_parser(sub, [common, reading], _extractor_options)
    add_eval_parser(sub)
    from ._cli_migration import add_migration_parsers

    add_migration_parsers(sub, _extractor_options)
    return parser


def _extractor_options(parser: argparse.ArgumentParser) -> None:
    from .extractors.presets import EXTRACTOR_NAMES

    parser.add_argument(
        "--extractor", default="rules", choices=EXTRACTOR_NAMES,
        help="which extractor finds the spans (model presets run the rules too)",
    )  # fmt: skip
    parser.add_argument(
        "--model",
        default=None,
        help="model id or path for model extractors (default: IAAR-Shanghai/MemPrivacy-4B-RL)",
    )
    parser.add_argument(
        "--base-url", default=None, help="OpenAI-compatible server URL for --extractor served"
    )
    parser.add_argument(
        "--prompt-file",
        type=Path,
        default=None,
        metavar="PATH",
        help="the instruction file a generative model was trained with, in the MemPrivacy authors' "
        "format ({real_name}, {input_dialogue_content}) or ours (docs/models.md)",
    )


def _positive_int(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        number = 0
    if number <= 0:
        raise argparse.ArgumentTypeError("must be a positive whole number of bytes")
    return number


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("memprivacy-plugin")
    except PackageNotFoundError:  # pragma: no cover - running from a source tree
        return "0+unknown"


def main(argv: Sequence[str] | None = None) -> int:
    if sys.stdout is None:  # started with standard output closed (`>&-`): nowhere to answer
        _error("standard output is closed")
        return 2
    parser = _parser()
    try:
        args = _parse(parser, argv)
        if isinstance(args, int):
            return args
        _check_ids(args)
        code = int(args.func(args))
        sys.stdout.flush()  # a full disk shows here, not at exit after a misleading status 0
        return code
    except MemPrivacyError as exc:
        _error(str(exc))
        return 2
    except KeyboardInterrupt:
        _error("interrupted", prefix="memprivacy: ")
        return 130
    except BrokenPipeError:  # e.g. `memprivacy vault list | head`
        _discard_stdout()
        return 0
    except OSError as exc:  # writing the output (ENOSPC, EIO) or any other file the command touched
        where = f": {exc.filename}" if exc.filename else ""
        _error(f"{exc.strerror or type(exc).__name__}{where}")
        _discard_stdout()
        return 2


def _parse(parser: argparse.ArgumentParser, argv: Sequence[str] | None) -> argparse.Namespace | int:
    """The parsed arguments, or the exit status when argparse exits (--help, --version, a usage
    error). argparse swallows an OSError writing help (`--help > /dev/full` would exit 0 with the
    text lost), so what it writes to stdout is captured and written here, where a failure shows."""
    captured = io.StringIO()
    try:
        with contextlib.redirect_stdout(captured):
            return parser.parse_args(argv)
    except SystemExit as done:
        sys.stdout.write(captured.getvalue())
        sys.stdout.flush()
        return done.code if isinstance(done.code, int) else 0 if done.code is None else 2


def _error(message: str, *, prefix: str = "memprivacy: error: ") -> None:
    """One line on stderr; nothing if stderr is closed (`print(file=None)` would use stdout)."""
    if sys.stderr is not None:
        with contextlib.suppress(OSError, ValueError):
            print(f"{prefix}{message}", file=sys.stderr)


def _discard_stdout() -> None:
    """Point stdout at /dev/null, so what is still buffered cannot fail again at exit."""
    with contextlib.suppress(OSError, ValueError):  # not a real file (captured in tests): no flush at exit
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
