"""Kopilka: what belongs to the course's fictional cashback service, not to a method.

The simulation itself lives in :mod:`crm_course.world` and the one way to read
its tables in :mod:`crm_course.data`. This package holds what is built on them
and on the method modules:

* :mod:`crm_course.kopilka.support` -- the support-contact frame of chapter 4
  (contacts joined to their agents and members) and the agent summary, and the
  simulation's hidden drop-out at each contact;
* :mod:`crm_course.kopilka.campaign` -- the offer experiment with the support
  contacts it caused, the members active before it and plans A and B's costs,
  and the campaign's lift net of those contacts (chapters 5 and 6);
* :mod:`crm_course.kopilka.truth` -- what the simulation planted, laid beside
  the estimates (chapters 1-3);
* :mod:`crm_course.kopilka.diagrams` -- Kopilka's business and data-model
  diagrams;
* :mod:`crm_course.kopilka.board` -- the capstone's board case, chaining the
  method modules;
* :mod:`crm_course.kopilka.groups` -- a world of its own for every student group.
"""
