# mem0 behind the privacy layer, embedded and offline. Run: python docs/snippets/mem0_quickstart.py
# (the example of README.md and docs/integrations/mem0.md; it writes ./mem0-data and the default vault)
from memprivacy_plugin.integrations.mem0 import PrivateMemory

mem = PrivateMemory.local("./mem0-data")  # embedded mem0: Qdrant on disk, local embedder, offline
mem.add("My phone is +1 415 867 5309", user_id="dana", infer=False)  # infer=False: no LLM needed
print("mem0 holds:", mem.memory.get_all(filters={"user_id": "dana"})["results"][0]["memory"])
hits = mem.search("what is my phone number?", filters={"user_id": "dana"})
print("user sees: ", hits["results"][0]["memory"])  # restored on this side
