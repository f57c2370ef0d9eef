"""Quizzes: course items that tell whether a learner reaches the minimum level in each competence."""
