"""The one parser: a form-neutral document (db/document.py) onto the canonical report (db/model.py).

`report` drives it; the other modules each read one thing: the sections and their paragraphs
(`sections`), who published which year (`identity`, `crawler`), the tables' cells (`tables`, and
`running`/`runs` where a table lost its borders), and the text of one cell (`labels`, `numerals`,
`ideographs`).
"""
