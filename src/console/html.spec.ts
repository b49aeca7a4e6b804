import { escapeHtml, html, join, trusted } from './html';

// prettier formats html`` templates as HTML; these assertions are about exact bytes.
describe('html templates', () => {
  it('escapes interpolated text, attributes included', () => {
    const name = `<script>alert("x")</script> & 'q'`;
    // prettier-ignore
    expect(html`<p title="${name}">${name}</p>`.text).toBe(
      '<p title="&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;q&#39;">&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;q&#39;</p>',
    );
  });

  it('keeps nested fragments and lists as they are, escaping their text once', () => {
    const items = ['a<b', 'c'].map((item) => html`<li>${item}</li>`);
    // prettier-ignore
    expect(html`<ul>${items}</ul>`.text).toBe('<ul><li>a&lt;b</li><li>c</li></ul>');
    // prettier-ignore
    expect(join([html`<i>1</i>`, 'x&y'], html`<br>`).text).toBe('<i>1</i><br>x&amp;y');
  });

  it('renders nothing for null, undefined and false, and numbers as text', () => {
    expect(html`${null}${undefined}${false}${0}${trusted('<b>t</b>')}`.text).toBe('0<b>t</b>');
    expect(escapeHtml('"')).toBe('&quot;');
  });
});
