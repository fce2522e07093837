from courses.markdown import render_markdown


def test_scripts_and_raw_html_are_neutralised():
    html = render_markdown("<script>alert(1)</script>\n\n[x](javascript:alert(1)) <img src=x onerror=alert(1)>")
    assert "<script" not in html and "<img" not in html and 'href="javascript' not in html
    assert "&lt;script&gt;" in html  # shown as text, not executed


def test_math_becomes_katex_spans():
    html = render_markdown("Energy $E=mc^2$\n\n$$\\sum_i p_i = 1$$")
    assert '<span class="math inline">E=mc^2</span>' in html
    assert '<div class="math block">' in html


def test_code_is_highlighted_and_tables_render():
    html = render_markdown("```python\nprint(1)\n```\n\n| a | b |\n|---|---|\n| 1 | 2 |")
    assert '<span class="nb">print</span>' in html
    assert "<table>" in html
