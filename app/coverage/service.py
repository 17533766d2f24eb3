"""The coverage rules of DESIGN.md, computed in SQL.

Interface used by campaigns (round checklists), documents, web and planner:

- ``campaign_coverage(session, *, actor, campaign_id) -> CoverageRead``
- ``household_states(session, *, campaign_id, household_ids=None, building_ids=None)
  -> dict[int, HouseholdState]`` (no permission check: callers have already loaded the campaign)
"""
