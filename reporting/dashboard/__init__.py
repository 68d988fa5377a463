"""The commissioner's dashboard, the quarterly management information and the quarterly report: aggregates only."""
