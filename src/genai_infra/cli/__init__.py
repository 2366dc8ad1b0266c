"""The genai-infra command-line tool."""
