from ninja import Router

router = Router(tags=["供需对接"])
