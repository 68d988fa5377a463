from django.db import models


class KpiKind(models.TextChoices):
    RATE = "rate", "Rate (numerator over denominator)"
    COUNT = "count", "Count (of failures; the target is a number)"
    MEAN = "mean", "Mean share (data completeness)"


class Comparison(models.TextChoices):
    AT_LEAST = ">=", "at least"
    AT_MOST = "<=", "at most"
    EQUAL = "=", "exactly"


class Direction(models.TextChoices):
    HIGHER = "higher", "Higher is better"
    LOWER = "lower", "Lower is better"


class RecomputationState(models.TextChoices):
    PENDING = "pending", "Waiting to start"
    RUNNING = "running", "Running"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"


class ExportKind(models.TextChoices):
    MONTHLY = "monthly", "Monthly NDTMS return"
    TRANSFER = "transfer", "Transfer-of-care file"


class ExportState(models.TextChoices):
    PENDING = "pending", "Waiting to start"
    RUNNING = "running", "Running"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"
