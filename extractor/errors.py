"""One error tree: every failure the pipeline reports is an ExtractorError naming the file and the problem."""


class ExtractorError(Exception):
    """Root of all errors the product raises on purpose; the CLI prints these as one line, exit code 2."""

    def __init__(self, message: str, *, file: str | None = None):
        self.file = file
        super().__init__(f"{file}: {message}" if file else message)


class IngestError(ExtractorError):
    """The input could not be read: not a PDF, corrupt, encrypted, empty, nothing recognised."""


class PromptError(ExtractorError):
    """A prompt file is missing or malformed."""


class ExtractionError(ExtractorError):
    """An engine could not produce an extraction (LLM unreachable after retries, bad configuration)."""


class StoreError(ExtractorError):
    """The database could not be opened or migrated."""


class EvalError(ExtractorError):
    """Gold or prediction files are missing or malformed."""
