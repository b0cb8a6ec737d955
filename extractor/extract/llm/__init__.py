"""The LLM extraction engine (openai + instructor), its prompts, response cache and grounding."""
