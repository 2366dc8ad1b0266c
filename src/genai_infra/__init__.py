"""genai-demo-infra: the AWS infrastructure of the GenAI Demo application, as CDK for Python."""

__version__ = "0.1.0"
