# Protect a message, restore an answer, stream a restore. Run: python docs/snippets/quickstart.py
import tempfile
from pathlib import Path

from memprivacy_plugin import PrivacyGuard, PrivacyPolicy, SQLiteVault
from memprivacy_plugin.vault.crypto import generate_key

with tempfile.TemporaryDirectory() as tmp:
    vault = SQLiteVault(Path(tmp) / "vault.sqlite3", key=generate_key())
    guard = PrivacyGuard(vault=vault, policy=PrivacyPolicy.default())

    safe = guard.protect("Text me at +1 415 867 5309, the code is 482913", user_id="u1")
    print(safe.text)
    print(safe.placeholders, safe.redacted)

    again = guard.protect("My number is still +1 415 867 5309.", user_id="u1")
    print(again.text)

    print(guard.restore("I'll text **<phone_number_1>** tonight", user_id="u1"))
    print(guard.restore("<Phone_Number_1> is someone else's", user_id="u2"))

    chunks = ["Calling <Phone_Nu", "mber_1> n", "ow"]
    print("".join(guard.restore_stream(chunks, user_id="u1")))
    guard.close()
