# Placeholder: replaced by the API work.
from ninja import Router

router = Router(tags=["portfolio"])
