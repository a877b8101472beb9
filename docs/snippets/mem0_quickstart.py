# mem0 behind the privacy layer, embedded and offline. Run: python docs/snippets/mem0_quickstart.py
import tempfile

from memprivacy_plugin import InMemoryVault, PrivacyGuard
from memprivacy_plugin.integrations.mem0 import PrivateMemory, local_mem0_config

with tempfile.TemporaryDirectory() as tmp:
    config = local_mem0_config(tmp)  # before importing mem0: offline, no telemetry
    import mem0

    mem = PrivateMemory(mem0.Memory.from_config(config), guard=PrivacyGuard(vault=InMemoryVault()))
    mem.add("My phone is +1 415 867 5309", user_id="u1", infer=False)
    stored = mem.memory.get_all(filters={"user_id": "u1"})["results"]  # mem0 itself, unwrapped
    print("cloud holds:", stored[0]["memory"])
    found = mem.search("what is my phone number?", filters={"user_id": "u1"})["results"]
    print("user sees:  ", found[0]["memory"])
