"""The participant base view refuses, at class creation, a subclass that would skip the consent gate."""

from __future__ import annotations

import pytest
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

import research_platform.urls_tenants  # noqa: F401  (imports every participant endpoint of the tree)
from consent.gate import HasActiveConsent, ParticipantAPIView
from pseudonymization.authentication import ParticipantTokenAuthentication


def test_a_subclass_that_replaces_the_permission_classes_fails_at_class_creation():
    with pytest.raises(TypeError, match=r"must not replace the consent gate.*permission_classes"):

        class Careless(ParticipantAPIView):
            permission_classes = [AllowAny]


def test_a_subclass_that_replaces_the_authentication_classes_fails_at_class_creation():
    with pytest.raises(TypeError, match="authentication_classes"):

        class Careless(ParticipantAPIView):
            authentication_classes = [ParticipantTokenAuthentication]  # even the same list: the gate is the base's


def test_a_base_that_overrides_a_permission_hook_fails_wherever_it_sits_in_the_bases():
    class OpenDoor(APIView):
        def get_permissions(self):  # type: ignore[no-untyped-def]
            return [AllowAny()]

    with pytest.raises(TypeError, match="get_permissions"):

        class BaseFirst(OpenDoor, ParticipantAPIView):
            pass

    # After the participant base in the bases, its get_permissions still comes before APIView's.
    with pytest.raises(TypeError, match="get_permissions"):

        class BaseAfter(ParticipantAPIView, OpenDoor):
            pass


def test_a_flag_that_is_not_a_boolean_fails_at_class_creation():
    with pytest.raises(TypeError, match="require_consent must be True or False"):

        class Careless(ParticipantAPIView):
            require_consent = "False"  # type: ignore[assignment]  (a truthy string)

    with pytest.raises(TypeError, match="allow_withdrawn must be True or False"):

        class AlsoCareless(ParticipantAPIView):
            allow_withdrawn = 1  # type: ignore[assignment]


def test_a_blank_reason_does_not_count_as_a_declaration():
    with pytest.raises(TypeError, match="dangerously_replaces_gate"):

        class Careless(ParticipantAPIView):
            dangerously_replaces_gate = "  "
            permission_classes = [AllowAny]


def test_a_subclass_that_says_why_may_replace_the_gate():
    class Declared(ParticipantAPIView):
        dangerously_replaces_gate = "a probe for this test; never mounted"
        permission_classes = [AllowAny]

        def get(self, request):  # type: ignore[no-untyped-def]
            return Response({})

    assert Declared.permission_classes == [AllowAny]


def test_a_subclass_that_only_sets_the_flags_is_accepted():
    class Rights(ParticipantAPIView):
        allow_withdrawn = True
        require_consent = False

    assert Rights.permission_classes == [HasActiveConsent]


def _subclasses(cls: type) -> list[type]:
    return [sub for direct in cls.__subclasses__() for sub in (direct, *_subclasses(direct))]


def test_every_participant_endpoint_of_the_tree_keeps_the_gate():
    real = [view for view in _subclasses(ParticipantAPIView) if not view.__module__.startswith("tests.")]
    names = {view.__name__ for view in real}
    assert {"WithdrawApi", "GameSessionStartApi", "MyDataApi", "MyProfileApi"} <= names
    for view in real:
        assert view.dangerously_replaces_gate == "", view
        assert view.permission_classes == [HasActiveConsent], view
        assert view.authentication_classes == [ParticipantTokenAuthentication], view
