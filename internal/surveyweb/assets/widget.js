(function(){var s=document.currentScript,k=s&&s.getAttribute("data-vox-key");if(!k)return;
var b=s.src.replace(/\/widget\/v1\.js.*$/,""),d=document;
function el(t,a,c){var e=d.createElement(t);for(var n in a)e.setAttribute(n,a[n]);if(c)e.textContent=c;return e}
fetch(b+"/widget/v1/config?k="+encodeURIComponent(k)).then(function(r){return r.ok?r.json():null}).then(function(c){if(!c)return;
var n=Math.random().toString(36).slice(2)+Date.now().toString(36),score=null;
var w=el("form",{role:"dialog","aria-label":c.question,style:"position:fixed;bottom:1rem;right:1rem;max-width:22rem;background:#fff;color:#1a1a1a;border:1px solid #555;border-radius:.5rem;padding:1rem;font:15px/1.4 system-ui,sans-serif;box-shadow:0 2px 12px rgba(0,0,0,.2);z-index:2147483000"});
w.appendChild(el("p",{style:"margin:0 0 .5rem;font-weight:600"},c.question));
var row=el("div",{style:"display:flex;flex-wrap:wrap;gap:.2rem"});
for(var v=c.lo;v<=c.hi;v++)(function(v){var x=el("button",{type:"button","aria-pressed":"false",style:"flex:1 0 1.8rem;padding:.35rem 0;border:1px solid #555;border-radius:.3rem;background:#fff;cursor:pointer"},String(v));
x.onclick=function(){score=v;[].forEach.call(row.children,function(y){y.style.background="#fff";y.style.color="#1a1a1a";y.setAttribute("aria-pressed","false")});x.style.background="#0b57d0";x.style.color="#fff";x.setAttribute("aria-pressed","true")};row.appendChild(x)})(v);
w.appendChild(row);
var t=el("textarea",{"aria-label":c.comment,placeholder:c.comment,rows:"2",maxlength:"5000",style:"width:100%;margin:.5rem 0;font:inherit"});w.appendChild(t);
var hp=el("input",{name:"website",tabindex:"-1",autocomplete:"off","aria-hidden":"true",style:"position:absolute;left:-9999px"});w.appendChild(hp);
var sb=el("button",{type:"submit",style:"padding:.4rem 1rem;border:0;border-radius:.3rem;background:#0b57d0;color:#fff;cursor:pointer"},c.send);w.appendChild(sb);
var cl=el("button",{type:"button","aria-label":"Close",style:"position:absolute;top:.3rem;right:.4rem;border:0;background:none;font-size:1.1rem;cursor:pointer"},"\u00d7");cl.onclick=function(){w.remove()};w.appendChild(cl);
w.onsubmit=function(e){e.preventDefault();if(score===null)return;sb.disabled=true;
var f=new URLSearchParams({k:k,n:n,score:score,text:t.value,website:hp.value});
fetch(b+"/widget/v1/submit",{method:"POST",body:f}).then(function(r){w.textContent=r.ok?c.thanks:c.error;setTimeout(function(){w.remove()},4000)})};
d.body.appendChild(w)})})();
