from ninja import Router

router = Router(tags=["改造项目与奖补"])
