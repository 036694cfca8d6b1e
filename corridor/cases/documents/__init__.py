"""Case documents: the checks a file must pass, upload with versions and sharing
(`services`), the documents part of the case page (`services.document_panel`), and the
pages that upload, share and download (`views`, `urls`, mounted at /cases/documents/)."""
