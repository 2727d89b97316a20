from ninja import Router

router = Router(tags=["数字化水平评测"])
