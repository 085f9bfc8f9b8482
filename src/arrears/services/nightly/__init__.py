"""The nightly run for a business date (``job.RunNightly``, handled by ``job.run_nightly``):
age every account (``aging``), score every delinquent account (``services.scoring_run``) and
review the arrangements, one unit of work per stage (ports in ``ports``)."""
