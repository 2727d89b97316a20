"""The supply resource pool (供给资源池): providers and their admission, solutions and products,
enterprise needs and contact requests (供需对接), the 1+1+N consortia and chain leaders (链主)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shuzhuan.core.models import Organisation, Role, Town, is_city_wide
from shuzhuan.registry.models import Enterprise

User = settings.AUTH_USER_MODEL


# --- providers and pool admission -------------------------------------------------------------------

class PoolStatus(models.TextChoices):
    APPLICANT = "applicant", _("申请中")
    IN_POOL = "in_pool", _("在池")
    WARNED = "warned", _("警示")
    SUSPENDED = "suspended", _("暂停")
    REMOVED = "removed", _("出池")


IN_POOL_STATUSES = (PoolStatus.IN_POOL, PoolStatus.WARNED)


def rater_not_in_pool(organisation) -> str | None:
    """Only a provider in the pool (在池 or 警示) may rate on site (registered with the assessment app)."""
    from django.utils.translation import gettext

    if organisation is None or organisation.kind != "provider":
        return None
    if ProviderProfile.objects.filter(pk=organisation.pk, pool_status__in=IN_POOL_STATUSES).exists():
        return None
    return gettext("服务商「%(name)s」不在供给资源池中（未入池、暂停或已出池），不能担任现场评定机构") % {"name": organisation.name}


RATER_CHOICES = Q(provider_profile__pool_status__in=IN_POOL_STATUSES)


class ProviderQuerySet(models.QuerySet):
    def visible_to(self, user) -> ProviderQuerySet:
        """Admitted providers are public; the city sees all; a town officer also the providers located in
        its town; an expert those whose applications it reviews; a provider its own profile."""
        if is_city_wide(user):
            return self
        public = Q(pool_status__in=IN_POOL_STATUSES)
        if not user.is_authenticated:
            return self.filter(public)
        if user.role == Role.TOWN_OFFICER and user.town_id:
            return self.filter(public | Q(town_id=user.town_id))
        if user.role == Role.EXPERT:
            return self.filter(public | Q(pk__in=PoolApplication.objects.filter(reviews__expert=user).values("provider_id")))
        if user.role == Role.PROVIDER and user.organisation_id:
            return self.filter(public | Q(pk=user.organisation_id))
        return self.filter(public)


class ProviderProfile(models.Model):
    organisation = models.OneToOneField(Organisation, primary_key=True, on_delete=models.CASCADE,
                                        related_name="provider_profile", verbose_name=_("服务商"))
    town = models.ForeignKey(Town, null=True, blank=True, on_delete=models.PROTECT, verbose_name=_("所在镇街"))
    address = models.CharField(_("地址"), max_length=200, blank=True)
    introduction = models.TextField(_("简介"), blank=True)
    qualifications = models.TextField(_("资质"), blank=True)
    staff_count = models.PositiveIntegerField(_("员工人数"), null=True, blank=True)
    engineer_count = models.PositiveIntegerField(_("技术人员"), null=True, blank=True)
    contact_name = models.CharField(_("联系人"), max_length=64, blank=True)
    contact_phone = models.CharField(_("联系电话"), max_length=32, blank=True)
    pool_status = models.CharField(_("入池状态"), max_length=12, choices=PoolStatus.choices, default=PoolStatus.APPLICANT, db_index=True)
    admitted_on = models.DateField(_("入池日期"), null=True, blank=True)
    admission_score = models.DecimalField(_("入池评审得分"), max_digits=5, decimal_places=2, null=True, blank=True)
    stars = models.DecimalField(_("星级"), max_digits=3, decimal_places=1, null=True, blank=True,
                                help_text=_("由满意度、按期验收率、入池评分计算；有数据后才显示"))
    stars_explanation = models.JSONField(default=list, blank=True)

    objects = ProviderQuerySet.as_manager()

    class Meta:
        verbose_name = _("服务商")
        verbose_name_plural = _("服务商")

    def __str__(self) -> str:
        return self.organisation.name


class ApplicationStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("已提交")
    IN_REVIEW = "in_review", _("专家评审中")
    NOTICE = "notice", _("公示中")
    ADMITTED = "admitted", _("已入池")
    REJECTED = "rejected", _("未通过")
    WITHDRAWN = "withdrawn", _("已撤回")


class ApplicationQuerySet(models.QuerySet):
    def visible_to(self, user) -> ApplicationQuerySet:
        if is_city_wide(user):
            return self
        if not user.is_authenticated:
            return self.none()
        if user.role == Role.PROVIDER:
            return self.filter(provider_id=user.organisation_id)
        if user.role == Role.EXPERT:
            return self.filter(reviews__expert=user)
        if user.role == Role.TOWN_OFFICER and user.town_id:
            return self.filter(provider__town_id=user.town_id)  # read-only: providers located in its town
        return self.none()


class PoolApplication(models.Model):
    """Voluntary application → experts score → decision → public notice (公示) with objections → admitted."""

    provider = models.ForeignKey(ProviderProfile, on_delete=models.CASCADE, related_name="applications")
    status = models.CharField(_("状态"), max_length=12, choices=ApplicationStatus.choices, default=ApplicationStatus.DRAFT, db_index=True)
    qualifications = models.TextField(_("资质情况"), blank=True)
    cases = models.TextField(_("典型案例"), blank=True)
    staff = models.TextField(_("团队情况"), blank=True)
    score = models.DecimalField(_("评审得分"), max_digits=5, decimal_places=2, null=True, blank=True)
    notice_start = models.DateField(_("公示开始"), null=True, blank=True)
    notice_end = models.DateField(_("公示结束（不含）"), null=True, blank=True)
    decision_reason = models.TextField(_("决定理由"), blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    objects = ApplicationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("入池申请")
        verbose_name_plural = _("入池申请")

    def __str__(self) -> str:
        return f"{self.provider} {self.get_status_display()}"

    @property
    def notice_last_day(self):
        """The last day of the public notice (notice_end is exclusive): what every page shows as 至 …."""
        import datetime as dt

        return self.notice_end - dt.timedelta(days=1) if self.notice_end else None


class ApplicationDocument(models.Model):
    application = models.ForeignKey(PoolApplication, on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField(_("材料类型"), max_length=32)
    path = models.CharField(max_length=300)
    name = models.CharField(_("文件名"), max_length=200)
    size = models.PositiveIntegerField()
    uploaded_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return self.name


class ExpertReview(models.Model):
    application = models.ForeignKey(PoolApplication, on_delete=models.CASCADE, related_name="reviews")
    expert = models.ForeignKey(User, on_delete=models.PROTECT, related_name="pool_reviews")
    assigned_at = models.DateTimeField(default=timezone.now)
    score = models.DecimalField(_("评分"), max_digits=5, decimal_places=2, null=True, blank=True)
    opinion = models.TextField(_("评审意见"), blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["application", "expert"], name="one_review_per_expert")]

    def __str__(self) -> str:
        return f"{self.application_id} {self.expert_id}"


class NoticeObjection(models.Model):
    """An objection raised during the public notice period (公示异议)."""

    application = models.ForeignKey(PoolApplication, on_delete=models.CASCADE, related_name="objections")
    text = models.TextField(_("异议内容"))
    contact = models.CharField(_("联系方式"), max_length=100, blank=True)
    submitted_at = models.DateTimeField(default=timezone.now)
    resolution = models.TextField(_("处理结果"), blank=True)
    upheld = models.BooleanField(_("异议成立"), null=True)
    resolved_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return self.text[:30]


class SanctionKind(models.TextChoices):
    WARNING = "warning", _("警示")
    SUSPENSION = "suspension", _("暂停")
    REMOVAL = "removal", _("出池")
    REINSTATEMENT = "reinstatement", _("恢复")


class PoolSanction(models.Model):
    provider = models.ForeignKey(ProviderProfile, on_delete=models.CASCADE, related_name="sanctions")
    kind = models.CharField(_("类型"), max_length=16, choices=SanctionKind.choices)
    reason = models.TextField(_("原因"))
    at = models.DateTimeField(default=timezone.now)
    by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.provider_id} {self.kind}"


# --- solutions and products ---------------------------------------------------------------------------

class SolutionCategory(models.Model):
    """Configurable categories (DESIGN decision 12: 3 by default, loaded by migration)."""

    code = models.SlugField(max_length=32, unique=True)
    name = models.CharField(_("名称"), max_length=64)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "code"]
        verbose_name = _("解决方案类别")
        verbose_name_plural = _("解决方案类别")

    def __str__(self) -> str:
        return self.name


class OfferingKind(models.TextChoices):
    SOLUTION = "solution", _("解决方案")
    PRODUCT = "product", _("产品/服务")


class ProductType(models.TextChoices):
    MANAGEMENT = "management", _("管理")
    MANUFACTURING = "manufacturing", _("制造")
    SERVICE = "service", _("服务")
    SALES = "sales", _("销售")
    DESIGN = "design", _("设计")
    SAFETY = "safety", _("安全")


class Deployment(models.TextChoices):
    SAAS = "saas", _("SaaS 云服务")
    ON_PREMISES = "on_premises", _("本地部署")
    HYBRID = "hybrid", _("混合部署")


class OfferingStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    PENDING = "pending", _("待审核")
    PUBLISHED = "published", _("已发布")
    REJECTED = "rejected", _("退回")
    WITHDRAWN = "withdrawn", _("已下架")


class OfferingQuerySet(models.QuerySet):
    def public(self) -> OfferingQuerySet:
        return self.filter(status=OfferingStatus.PUBLISHED, provider__pool_status__in=IN_POOL_STATUSES)

    def visible_to(self, user) -> OfferingQuerySet:
        """Published offerings of providers in the pool are public; the city sees all; a town officer also
        those of providers located in its town; a provider its own."""
        if is_city_wide(user):
            return self
        public = Q(status=OfferingStatus.PUBLISHED, provider__pool_status__in=IN_POOL_STATUSES)
        if user.is_authenticated and user.role == Role.TOWN_OFFICER and user.town_id:
            return self.filter(public | Q(provider__town_id=user.town_id))
        if user.is_authenticated and user.role == Role.PROVIDER and user.organisation_id:
            return self.filter(public | Q(provider_id=user.organisation_id))
        return self.filter(public)


class Offering(models.Model):
    """A solution (解决方案) or a product/service (产品/服务) with its 小快轻准 attributes."""

    provider = models.ForeignKey(ProviderProfile, on_delete=models.CASCADE, related_name="offerings", verbose_name=_("服务商"))
    kind = models.CharField(_("类别"), max_length=10, choices=OfferingKind.choices)
    category = models.ForeignKey(SolutionCategory, null=True, blank=True, on_delete=models.PROTECT, verbose_name=_("解决方案类别"))
    product_type = models.CharField(_("产品类型"), max_length=16, choices=ProductType.choices, blank=True)
    name = models.CharField(_("名称"), max_length=120)
    summary = models.CharField(_("一句话介绍"), max_length=200)
    description = models.TextField(_("详细介绍"), blank=True)
    price_min = models.DecimalField(_("价格下限（元）"), max_digits=12, decimal_places=2, null=True, blank=True)
    price_max = models.DecimalField(_("价格上限（元）"), max_digits=12, decimal_places=2, null=True, blank=True)
    pilot_discount = models.DecimalField(_("试点优惠（%）"), max_digits=5, decimal_places=2, null=True, blank=True,
                                         help_text=_("服务商让一点：试点企业享受的折扣百分比"))
    deployment_days = models.PositiveIntegerField(_("部署周期（天）"), null=True, blank=True)
    deployment = models.CharField(_("部署方式"), max_length=12, choices=Deployment.choices, default=Deployment.SAAS)
    scenarios = models.JSONField(_("适用场景"), default=list, blank=True, help_text=_("S01–S16"))
    industries = models.JSONField(_("适用行业"), default=list, blank=True, help_text=_("GB/T 4754 大类或中类代码"))
    min_level = models.PositiveSmallIntegerField(_("适用起始等级（下限）"), default=0)
    max_level = models.PositiveSmallIntegerField(_("适用起始等级（上限）"), default=4)
    case_references = models.TextField(_("案例"), blank=True)
    status = models.CharField(_("状态"), max_length=10, choices=OfferingStatus.choices, default=OfferingStatus.DRAFT, db_index=True)
    review_note = models.TextField(_("审核意见"), blank=True)
    reviewed_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    reviewed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    objects = OfferingQuerySet.as_manager()

    class Meta:
        ordering = ["kind", "name"]
        indexes = [models.Index(fields=["status", "kind"])]
        verbose_name = _("解决方案与产品")
        verbose_name_plural = _("解决方案与产品")

    def __str__(self) -> str:
        return self.name


# --- needs and supply–demand matching --------------------------------------------------------------------

class NeedSource(models.TextChoices):
    TYPED = "typed", _("企业填写")
    DIAGNOSIS = "diagnosis", _("诊断差距")


class NeedStatus(models.TextChoices):
    OPEN = "open", _("待对接")
    MATCHING = "matching", _("对接中")
    SIGNED = "signed", _("已签约")
    CLOSED = "closed", _("已关闭")


class NeedQuerySet(models.QuerySet):
    def visible_to(self, user) -> NeedQuerySet:
        """Needs follow the enterprise's scope; a provider sees a need only through a contact request."""
        if is_city_wide(user):
            return self
        if not user.is_authenticated:
            return self.none()
        if user.role == Role.PROVIDER and user.organisation_id:
            return self.filter(contact_requests__provider_id=user.organisation_id).distinct()
        if user.role in (Role.TOWN_OFFICER, Role.ENTERPRISE):
            return self.filter(enterprise__in=Enterprise.objects.visible_to(user))
        return self.none()


class Need(models.Model):
    enterprise = models.ForeignKey(Enterprise, on_delete=models.CASCADE, related_name="needs", verbose_name=_("企业"))
    text = models.TextField(_("需求描述"))
    scenarios = models.JSONField(_("场景"), default=list, blank=True)
    classification = models.JSONField(default=list, blank=True, help_text=_("需求理解结果：[{code, score, why}]"))
    budget = models.DecimalField(_("预算（元）"), max_digits=14, decimal_places=2, null=True, blank=True)
    source = models.CharField(_("来源"), max_length=12, choices=NeedSource.choices, default=NeedSource.TYPED)
    status = models.CharField(_("状态"), max_length=10, choices=NeedStatus.choices, default=NeedStatus.OPEN, db_index=True)
    created_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    objects = NeedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("需求")
        verbose_name_plural = _("需求")

    def __str__(self) -> str:
        return self.text[:40]


class ContactStatus(models.TextChoices):
    REQUESTED = "requested", _("已发起对接")
    CONTACTED = "contacted", _("已联系")
    SIGNED = "signed", _("已签约")
    DECLINED = "declined", _("未达成")


class ContactQuerySet(models.QuerySet):
    def visible_to(self, user) -> ContactQuerySet:
        if is_city_wide(user):
            return self
        if not user.is_authenticated:
            return self.none()
        if user.role == Role.PROVIDER:
            return self.filter(provider_id=user.organisation_id)
        if user.role in (Role.TOWN_OFFICER, Role.ENTERPRISE):
            return self.filter(enterprise__in=Enterprise.objects.visible_to(user))
        return self.none()


class ContactRequest(models.Model):
    """An enterprise asks a provider to contact it about an offering (对接); the outcome is recorded."""

    enterprise = models.ForeignKey(Enterprise, on_delete=models.CASCADE, related_name="contact_requests")
    need = models.ForeignKey(Need, null=True, blank=True, on_delete=models.SET_NULL, related_name="contact_requests")
    offering = models.ForeignKey(Offering, null=True, blank=True, on_delete=models.SET_NULL, related_name="contact_requests")
    provider = models.ForeignKey(ProviderProfile, on_delete=models.CASCADE, related_name="contact_requests")
    message = models.TextField(_("留言"), blank=True)
    status = models.CharField(_("状态"), max_length=10, choices=ContactStatus.choices, default=ContactStatus.REQUESTED, db_index=True)
    outcome = models.TextField(_("对接结果"), blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    objects = ContactQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("对接请求")
        verbose_name_plural = _("对接请求")

    def __str__(self) -> str:
        return f"{self.enterprise_id} → {self.provider_id}"


def related_enterprises(user) -> Q | None:
    """A provider sees the enterprises that asked it to make contact, while the request is open and
    for `RELATIONSHIP_GRACE_DAYS` after its last step; a declined request (未达成) ends it at once."""
    from shuzhuan.registry.models import relationship_cutoff

    if user.role == Role.PROVIDER and user.organisation_id:
        return Q(contact_requests__in=ContactRequest.objects.filter(
            provider_id=user.organisation_id, updated_at__gte=relationship_cutoff()).exclude(
            status=ContactStatus.DECLINED))
    return None


# --- 1+1+N consortia and chain leaders ---------------------------------------------------------------------

class ConsortiumQuerySet(models.QuerySet):
    def visible_to(self, user) -> ConsortiumQuerySet:
        """City: all. Town officer: those with a member enterprise or the traction unit in the town. An
        enterprise or provider: those it belongs to (traction unit, lead platform or member)."""
        if is_city_wide(user):
            return self
        if not user.is_authenticated:
            return self.none()
        if user.role == Role.TOWN_OFFICER and user.town_id:
            return self.filter(Q(members__enterprise__town_id=user.town_id)
                               | Q(traction_unit__enterprise__town_id=user.town_id)).distinct()
        if user.role in (Role.ENTERPRISE, Role.PROVIDER) and user.organisation_id:
            org = user.organisation_id
            return self.filter(Q(members=org) | Q(traction_unit_id=org) | Q(lead_provider_id=org)).distinct()
        return self.none()


class Consortium(models.Model):
    """产业生态联合体: a traction unit (牵引单位), a lead platform/provider, N member SMEs and providers."""

    name = models.CharField(_("名称"), max_length=120)
    sector = models.CharField(_("行业"), max_length=64, help_text=_("细分行业名称，如 照明灯饰"))
    traction_unit = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+", verbose_name=_("牵引单位"))
    lead_provider = models.ForeignKey(ProviderProfile, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                      verbose_name=_("平台/服务商"))
    members = models.ManyToManyField(Organisation, blank=True, related_name="consortia", verbose_name=_("成员"))
    offerings = models.ManyToManyField(Offering, blank=True, related_name="consortia", verbose_name=_("产品与服务目录"))
    description = models.TextField(_("简介"), blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects = ConsortiumQuerySet.as_manager()

    class Meta:
        verbose_name = _("产业生态联合体")
        verbose_name_plural = _("产业生态联合体")

    def __str__(self) -> str:
        return self.name


class ChainRelation(models.TextChoices):
    SUPPLIER = "supplier", _("供应商")
    CUSTOMER = "customer", _("客户")


class ChainLink(models.Model):
    """A chain leader's supplier or customer (imported from XLSX); `partner` once it is in the registry."""

    leader = models.ForeignKey(Enterprise, on_delete=models.CASCADE, related_name="chain_links", verbose_name=_("链主"))
    partner_uscc = models.CharField(_("统一社会信用代码"), max_length=18)
    partner_name = models.CharField(_("企业名称"), max_length=200)
    partner = models.ForeignKey(Enterprise, null=True, blank=True, on_delete=models.SET_NULL, related_name="chain_memberships")
    relation = models.CharField(_("关系"), max_length=10, choices=ChainRelation.choices, default=ChainRelation.SUPPLIER)
    imported_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["leader", "partner_uscc", "relation"], name="one_link_per_partner")]
        verbose_name = _("链主上下游")
        verbose_name_plural = _("链主上下游")

    def __str__(self) -> str:
        return f"{self.leader_id} {self.relation} {self.partner_uscc}"
