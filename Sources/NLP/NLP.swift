// Module NLP: see docs/ARCHITECTURE.md. Files are added per concept (one main type per file).
