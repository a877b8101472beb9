"""Adapters for agent stacks: LangChain (`integrations.langchain`), LangGraph
(`integrations.langgraph`) and mem0 (`integrations.mem0`). Each is a thin layer over
`PrivacyGuard`; import the submodule you need (it needs its extra: `pip install
'memprivacy-plugin[langchain]'`, `[langgraph]` or `[mem0]`)."""
