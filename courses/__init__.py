"""Courses plugin: courses, modules, items, competence frameworks, question bank, quizzes, cohorts."""

__version__ = "0.1.0"
