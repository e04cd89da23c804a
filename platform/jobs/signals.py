"""Warm a worker's models when it starts, never per request."""
import logging

from celery.signals import worker_ready

from . import runtime

log = logging.getLogger(__name__)


@worker_ready.connect
def warm_models(sender=None, **kwargs):
    queues = set(sender.app.amqp.queues.consume_from or {}) if sender is not None else set()
    if "gpu" in queues:  # the model only: its outputs are gated and stamped on the safety queue
        runtime.generator()
    if "safety" in queues:  # the input gates, and the output gate and stamping (jobs.finishing)
        runtime.moderator()
        runtime.stamper()
    log.info("Hallmark worker ready; queues %s", sorted(queues))
