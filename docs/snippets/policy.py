# The same message under the three protection levels users ask for, and a custom policy.
from memprivacy_plugin import InMemoryVault, PrivacyGuard, PrivacyPolicy

message = "Card 4111 1111 1111 1111, phone 138 0013 8000, password is Tr0ub4dor&3"
for name in ("pl4-only", "pl3-and-up", "pl2-and-up"):
    guard = PrivacyGuard(vault=InMemoryVault(), policy=PrivacyPolicy.preset(name))
    print(f"{name:<11}", guard.protect(message, user_id="u1").text)

custom = PrivacyPolicy.from_dict(
    {"preset": "pl2-and-up", "types": {"Phone Number": "keep"}, "redaction_format": "[REDACTED]"}
)
guard = PrivacyGuard(vault=InMemoryVault(), policy=custom)
print("custom     ", guard.protect(message, user_id="u1").text)
