"""The naive ingestion path the benchmark compares against: a DRF ModelSerializer and one save() per event.

It does the same work as the real path (validate, chain, store) the way a first version would: DRF's JSON
parser and serializer per item, and per event a locked chain head, a hash and a save. It exists only when
AIMS_BENCH_ENDPOINTS=1 is set for the benchmark's own server (aims/api_urls.py), never in a deployment.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone
from rest_framework import serializers
from rest_framework.parsers import JSONParser
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from evidence import chain, services
from evidence.models import ChainHead, Event


class NaiveEventSerializer(serializers.ModelSerializer):
    class Meta:
        model = Event
        fields = ["event_id", "kind", "occurred_at", "node_id", "producer_seq", "use_case", "stage", "decision"]

    def create(self, validated_data: dict[str, Any]) -> Event:
        source = self.context["source"]
        with transaction.atomic():
            head = ChainHead.objects.select_for_update().get(source=source)
            index = head.last_index + 1
            received = timezone.now()
            canonical = chain.canonical_envelope(
                source.name, index, chain.format_received_at(received), self.initial_data
            )
            leaf = chain.leaf_hash(canonical)
            event_hash = chain.next_hash(bytes.fromhex(head.last_hash), leaf)
            event = Event(
                source=source,
                chain_index=index,
                received_at=received,
                batch_id="00000000-0000-0000-0000-000000000000",
                canonical=canonical.decode(),
                leaf_hash=leaf.hex(),
                event_hash=event_hash.hex(),
                **validated_data,
            )
            event.save()
            head.last_index, head.last_hash = index, event_hash.hex()
            head.save()
        return event


class NaiveIngestView(APIView):
    authentication_classes: list = []
    permission_classes = [AllowAny]
    parser_classes = [JSONParser]

    def post(self, request: Request) -> Response:
        token = services.authenticate_source(request.headers.get("Authorization", "").removeprefix("Bearer "))
        if token is None:
            return Response({"error": {"code": "not_authenticated", "message": "", "fields": {}}}, status=401)
        accepted = 0
        for item in request.data:
            serializer = NaiveEventSerializer(data=item, context={"source": token.source})
            if serializer.is_valid():
                serializer.save()
                accepted += 1
        return Response({"accepted": accepted}, status=202)
