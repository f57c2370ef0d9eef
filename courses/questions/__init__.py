"""Question bank: categories, questions tagged with a competence and a level, GIFT and Aiken."""
