"""The course kit: self-checks, answer keys, the student kit, the grader, the site and the notebook tools.

Nothing in :mod:`crm_course` imports it. The lecturer's repository holds all
of it; the student kit (:mod:`crm_kit.kit`) ships only the self-check runtime
(:mod:`crm_kit.exercises`, :mod:`crm_kit.feedback`, :mod:`crm_kit.sealed`,
:mod:`crm_kit.answer_types` and the Russian of their messages,
:mod:`crm_kit.catalogue_ru`), never the answer key (:mod:`crm_kit.answers`).
"""
