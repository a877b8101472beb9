"""mem0 behind the guard: `PrivateMemory` (sync) and `AsyncPrivateMemory` (async).

Needs the `mem0` extra: ``pip install 'memprivacy-plugin[mem0]'``. Importing this package does not
import mem0; `local_mem0_config()` and `PrivateMemory.local()` do, after setting mem0's environment.

```python
from memprivacy_plugin.integrations.mem0 import PrivateMemory

memory = PrivateMemory.local("./mem0-data")          # embedded mem0: local Qdrant + local embedder
memory.add("Call me on +1 415 867 5309", user_id="dana", infer=False)
hits = memory.search("what is my phone number?", filters={"user_id": "dana"})
print(hits["results"][0]["memory"])                  # "Call me on +1 415 867 5309" (restored here)
```

Identity. The vault user is mem0's own identity: `user_id=` of `add`/`delete_all`, or
`filters={"user_id": ...}` of `search`/`get_all`. All agents and runs (sessions) of a user share the
user's vault, so one value keeps one placeholder across sessions. Memories with no `user_id` are
scoped to a vault of their agent (`agent:<agent_id>`), else of their run (`run:<run_id>`). A call
with none of the three is refused (`ConfigError`), before anything is sent. Results are restored
with each memory's own identity, so a search over an agent's memories never resolves one user's
placeholders with another's values.

Not protected: identity values (`user_id`, `agent_id`, `run_id`, `actor_id`) and a message's
`name` (mem0 keeps it as `actor_id`), `prompt`/`custom_instructions`, and methods the wrapper does
not have (use `.memory` for mem0 itself: nothing done there is protected or restored).
"""

from ._async import AsyncPrivateMemory
from ._config import (
    DEFAULT_LLM,
    PLACEHOLDER_INSTRUCTIONS,
    default_data_dir,
    embedder_model_path,
    local_mem0_config,
)
from ._identity import vault_user_for
from ._memory import PrivateMemory

__all__ = [
    "DEFAULT_LLM",
    "PLACEHOLDER_INSTRUCTIONS",
    "AsyncPrivateMemory",
    "PrivateMemory",
    "default_data_dir",
    "embedder_model_path",
    "local_mem0_config",
    "vault_user_for",
]
