from rest_framework.routers import DefaultRouter

from controls.api import views

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.include_format_suffixes = False
router.register("frameworks", views.FrameworkViewSet, basename="framework")
router.register("requirements", views.RequirementViewSet, basename="requirement")
router.register("crosswalk", views.CrosswalkLinkViewSet, basename="crosswalk-link")
router.register("implementations", views.ImplementationViewSet, basename="control-implementation")

urlpatterns = router.urls
