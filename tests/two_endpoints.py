"""A config of two endpoints, ``box`` and ``spare``, named by every kind of reference (model endpoints, tier and
agent chains), with a key in ``box``: what rename, remove and the data reports act on."""

LLM = """{
  "endpoints": {
    "box": {"enabled": true, "protocol": "openai", "priority": 1},
    "spare": {"enabled": true, "protocol": "openai", "priority": 2}
  },
  "models": {
    "m1": {"displayName": "M1", "endpoints": ["box", "spare"], "costPer1kTokens": {"input": 0, "output": 0}},
    "m2": {"displayName": "M2", "endpoints": ["box"], "costPer1kTokens": {"input": 0, "output": 0}}
  },
  "tiers": {
    "simple": {"primary": "m1", "fallback": ["m2", "gpt-5.2"]},
    "complex": {"primary": "m2", "fallback": ["m1"]}
  },
  "agents": {
    "execution": {"primary": "m2"},
    "planning": {"tier": "complex", "fallback": ["m1", "m2"]}
  }
}
"""
KEY = "sk-box-secret-0001"
CREDENTIALS = (
    """{
  "endpoints": {
    "box": {"apiKey": "%s", "baseUrl": "http://box:8000/v1"},
    "spare": {"apiKey": "EMPTY", "baseUrl": "http://spare:8000/v1"}
  }
}
"""
    % KEY
)
