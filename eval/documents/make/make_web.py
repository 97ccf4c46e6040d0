#!/usr/bin/env python3
"""Write the three web-page test documents into eval/documents/.

Deterministic, standard library only.  Run:  python eval/documents/make/make_web.py

  retail-cx-blog.html   simplified; sidebar/related <article class="card"> before the
                        real <article class="post">; table with caption/thead; share
                        widget; author bio box inside the article; footer.
  saas-nps-news.html    simplified; no <article>/<main>; divs only; nav, breadcrumb,
                        热门推荐, reader comments quoting the readers' own figures.
  airline-tw-blog.html  traditional (zh-TW); full blog chrome; byline, view count,
                        share prompt, author box, one small table.
"""

from pathlib import Path

OUT = Path(__file__).resolve().parent.parent


# ---------------------------------------------------------------------------
# a. retail-cx-blog.html
# ---------------------------------------------------------------------------
RETAIL_TABLE = {
    "caption": "表 1 不同超市业态的顾客体验指标（2024年调研）",
    "header": ["业态", "样本量", "满意度", "NPS", "24小时投诉解决率"],
    "rows": [
        ["大卖场", "1,104", "63%", "-6", "45%"],
        ["社区生鲜店", "872", "76%", "+22", "61%"],
        ["会员制仓储店", "538", "82%", "+35", "70%"],
        ["即时零售（到家）", "692", "68%", "+9", "49%"],
    ],
}


def html_table(t, indent="      "):
    lines = [
        f'{indent}<table class="data-table">',
        f"{indent}  <caption>{t['caption']}</caption>",
        f"{indent}  <thead>",
        f"{indent}    <tr>" + "".join(f"<th>{h}</th>" for h in t["header"]) + "</tr>",
        f"{indent}  </thead>",
        f"{indent}  <tbody>",
    ]
    for r in t["rows"]:
        lines.append(f"{indent}    <tr>" + "".join(f"<td>{c}</td>" for c in r) + "</tr>")
    lines += [f"{indent}  </tbody>", f"{indent}</table>"]
    return "\n".join(lines)


def retail():
    return f"""<!DOCTYPE html>
<html lang="zh-CN">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>2024超市顾客体验调研：社区店、大卖场与即时零售的体验分化 - 澄观体验咨询 · 博客</title>
  <meta name="author" content="周雅琴">
  <meta name="description" content="澄观体验咨询2024年超市顾客体验调研的主要发现。">
  <link rel="stylesheet" href="/static/css/theme.min.css">
</head>
<body class="single-post">
  <header class="site-header">
    <div class="logo"><a href="/">澄观体验咨询</a><span class="slogan">让每一次服务都被看见</span></div>
    <nav class="main-nav">
      <ul>
        <li><a href="/">首页</a></li>
        <li><a href="/services/">咨询服务</a></li>
        <li><a href="/insights/">研究洞察</a></li>
        <li class="active"><a href="/blog/">博客</a></li>
        <li><a href="/cases/">客户案例</a></li>
        <li><a href="/about/">关于我们</a></li>
        <li><a href="/contact/">联系我们</a></li>
      </ul>
    </nav>
  </header>

  <div class="container">
    <div class="sidebar-left">
      <article class="card card-related">
        <h3><a href="/blog/cvs-paid-membership/">便利店付费会员运营复盘</a></h3>
        <p>某连锁便利店推出付费会员一年后，会员复购率提升到 47%，我们拆解了它的三步打法。</p>
        <a class="more" href="/blog/cvs-paid-membership/">阅读全文 »</a>
      </article>
      <article class="card card-related">
        <h3><a href="/blog/price-of-waiting/">排队值多少钱？</a></h3>
        <p>一项街头快访显示，73% 的消费者愿意为更短的排队时间多付一点钱。</p>
        <a class="more" href="/blog/price-of-waiting/">阅读全文 »</a>
      </article>
      <article class="card card-case">
        <h3><a href="/cases/pharmacy-complaints/">案例｜连锁药房投诉治理</a></h3>
        <p>通过工单分级与回访机制，某连锁药房把投诉平均处理时长缩短了 38%。</p>
        <a class="more" href="/cases/pharmacy-complaints/">查看案例 »</a>
      </article>
      <article class="card card-subscribe">
        <h3>订阅《体验周报》</h3>
        <p>每周一封，精选零售与服务业体验研究；现有订阅者中 89% 来自零售与快消企业。</p>
        <form action="/subscribe" method="post"><input type="email" name="email" placeholder="输入您的邮箱"><button type="submit">免费订阅</button></form>
      </article>
    </div>

    <div class="content-area">
      <article class="post">
        <h1>2024超市顾客体验调研：社区店、大卖场与即时零售的体验分化</h1>
        <p class="byline">作者：<a href="/team/zhou-yaqin/">周雅琴</a> · <time datetime="2024-03-12">2024年3月12日</time></p>

        <p>过去一年，超市行业经历了明显的渠道分化：一边是大卖场客流持续下滑，另一边是社区生鲜店、会员制仓储店和即时零售到家业务快速扩张。顾客对“好体验”的定义也随之改变——他们不再只看价格和品类，而是越来越在意到店是否方便、结账是否顺畅、生鲜是否新鲜，以及出了问题能否被快速处理。为此，澄观体验咨询在2023年底开展了一轮超市顾客体验调研，本文分享其中的主要发现。</p>

        <h2>一、调研说明</h2>
        <p>本次调研于2023年11月至12月进行，覆盖华东、华南、华北的12个城市，通过在线问卷共回收有效样本3,206份，受访者均为过去三个月内至少在超市购物两次的顾客。问卷涵盖满意度、净推荐值（NPS）、结账等待、生鲜品质、线上到家服务与投诉处理六个模块。此外，我们还在上海、广州和天津组织了18场焦点小组访谈，用于解释问卷中出现的关键差异。</p>
        <p>从受访者构成看，女性受访者占57%，35岁以下的受访者占39%，家庭中有12岁以下儿童的受访者约占三分之一。为避免城市规模带来的偏差，我们对一线与新一线城市的样本做了加权处理，以下数据均为加权后的结果。</p>
        <p>整体来看，受访者对超市购物体验的满意度为71%，比上一轮调研上升了4个百分点。但不同业态之间的差距很大，只看平均数很容易掩盖问题。</p>

        <h2>二、不同业态的体验差异</h2>
        <p>下表汇总了四类业态的核心指标。会员制仓储店在满意度和NPS上都明显领先，而大卖场的NPS已经跌为负值，意味着贬损者多于推荐者。</p>
{html_table(RETAIL_TABLE, "        ")}
        <p>焦点小组中，不少大卖场顾客提到“货架很满，但找不到人问”。相比之下，社区生鲜店的优势在于距离近、店员面孔熟悉，顾客愿意把它推荐给邻居。会员制仓储店的高分主要来自商品差异化和“退换无忧”的售后政策，但会员费门槛也让这部分样本偏向中高收入家庭，解读时需要注意。</p>
        <p>即时零售的满意度居中，主要短板在于配送时效：在所有投诉中，与到家订单延误相关的投诉占到了31%。数字渠道方面，36%的受访者在过去三个月内通过超市自有App或小程序下过单，他们最常见的抱怨是缺货商品被系统自动“替换”却没有事先确认，以及线上价格与门店价签不一致。</p>
        <p>生鲜依然是决定顾客是否回头的关键。当被问到“什么因素最影响你下次还来这家店”时，有58%的受访者选择了生鲜品质，远高于价格优惠和促销活动。</p>

        <h2>三、结账与排队：被低估的痛点</h2>
        <p>在晚间和周末高峰时段，受访者报告的平均结账等待时间为6.4分钟。等待本身未必致命，真正伤害体验的是不确定性：42%的受访者表示，过去一年里至少有一次因为排队太长而放弃了购物。</p>
        <p>自助收银被很多企业视为解决方案。调研中有64%的受访者使用过自助收银，但其中27%的人遇到过需要店员介入的故障，例如称重商品无法识别、优惠券核销失败等。当自助设备出错而附近又没有店员时，顾客的挫败感往往比排队更强。</p>
        <p>从焦点小组的讨论来看，顾客真正想要的并不是“没有排队”，而是“知道要排多久”。一些门店在收银区上方设置了实时排队时长提示，并在高峰时段开放临时收银台，顾客对这类做法的评价普遍正面。相反，只开放少数几个收银台、却让其余收银台的灯一直亮着，是最容易引发抱怨的场景之一。</p>
        <p>投诉处理方面，受访者投诉后在24小时内得到解决的比例仅为54%。焦点小组中反复出现的一句话是：“我不怕出问题，我怕没人管。”</p>

        <h2>四、店员：体验的最后一道防线</h2>
        <p>无论门店多么数字化，店员仍然是顾客感知服务的关键触点。有52%的受访者表示，在卖场里需要帮助时“很难找到店员”，这一问题在面积较大的门店尤其突出。而当店员主动上前询问或帮忙找货时，顾客对该次购物的评价会高出约15个百分点。</p>
        <p>值得注意的是，顾客对店员的期待并不是“热情推销”，而是“能解决问题”：知道商品放在哪里、能当场处理价签错误、愿意为临期或有瑕疵的商品办理退换。焦点小组里，一位受访者这样描述她心目中的好店员：“不用笑得很甜，但问什么都知道。”这意味着培训的重点应当从服务话术转向商品知识与现场授权。</p>

        <h2>五、给零售企业的三点建议</h2>
        <ul>
          <li>按小时客流做动态排班，并在高峰时段为自助收银区配置专职引导员；</li>
          <li>对生鲜推出“不满意即退”的承诺，把退换流程压缩到一次扫码完成；</li>
          <li>为到家订单建立主动延误通知机制，在顾客催单之前告知新的预计送达时间。</li>
        </ul>
        <p>需要说明的是，本次调研以线上问卷为主，对不常使用智能手机的老年顾客覆盖有限，相关结论在应用于老年客群占比较高的门店时需要谨慎。我们将在下一篇文章中继续拆解会员制仓储店的体验设计。</p>

        <div class="share-widget">分享到：<a href="#" class="share-wechat">微信</a> <a href="#" class="share-weibo">微博</a> <a href="#" class="share-link">复制链接</a></div>

        <div class="author-bio">
          <img src="/static/img/team/zhou-yaqin.jpg" alt="">
          <p><strong>关于作者</strong>　周雅琴，澄观体验咨询零售研究总监，长期关注零售与生活服务业的顾客旅程设计，此前在快消品牌从事消费者洞察工作十余年。</p>
        </div>
      </article>

      <nav class="post-nav"><a href="/blog/cx-metrics-2023/">« 上一篇：体验指标怎么选</a> <a href="/blog/warehouse-club/">下一篇：仓储会员店的秘密 »</a></nav>
    </div>
  </div>

  <footer class="site-footer">
    <p>© 2024 澄观体验咨询 版权所有 · 沪ICP备2024018836号</p>
    <p>地址：上海市静安区示例路 88 号 · 邮箱：hello@chengguan-cx.example.com</p>
  </footer>
</body>
</html>
"""


# ---------------------------------------------------------------------------
# b. saas-nps-news.html  (no <article>, no <main>)
# ---------------------------------------------------------------------------
def saas():
    return """<!DOCTYPE html>
<html lang="zh-CN">
<head>
  <meta charset="utf-8">
  <title>云桥研究院发布《2024中国SaaS客户成功调研》：NPS中位数仅为18_企服观察网</title>
  <meta name="author" content="陈思远">
  <meta name="keywords" content="SaaS,客户成功,NPS,续费,企业服务">
  <meta name="description" content="云桥研究院发布《2024中国SaaS客户成功调研报告》。">
  <link rel="stylesheet" href="//static.qifu-obs.example.com/css/news.css">
</head>
<body>
<div class="topbar">
  <div class="w1200"><span class="welcome">欢迎来到企服观察网</span> <a href="/login">登录</a> | <a href="/register">注册</a> | <a href="/contribute">我要投稿</a> | <a href="/app">APP下载</a></div>
</div>
<div class="header">
  <div class="logo"><a href="/">企服观察网</a></div>
  <div class="nav">
    <ul>
      <li><a href="/">首页</a></li>
      <li><a href="/news/">快讯</a></li>
      <li class="on"><a href="/saas/">SaaS</a></li>
      <li><a href="/cloud/">云计算</a></li>
      <li><a href="/ai/">人工智能</a></li>
      <li><a href="/service/">企业服务</a></li>
      <li><a href="/events/">活动</a></li>
      <li><a href="/reports/">研究报告</a></li>
    </ul>
  </div>
  <div class="subnav"><a href="/saas/crm/">CRM</a> | <a href="/saas/oa/">协同办公</a> | <a href="/saas/finance/">财税</a> | <a href="/saas/hr/">HR SaaS</a> | <a href="/saas/marketing/">营销云</a> | <a href="/saas/kefu/">客服系统</a></div>
</div>
<div class="breadcrumb">当前位置：<a href="/">首页</a> &gt; <a href="/saas/">SaaS</a> &gt; <a href="/saas/hangye/">行业报告</a> &gt; 正文</div>

<div class="wrap w1200">
  <div class="left-col">
    <div class="content">
      <h1 class="title">云桥研究院发布《2024中国SaaS客户成功调研》：NPS中位数仅为18，响应速度与续费强相关</h1>
      <div class="info">
        <span class="source">来源：企服观察网</span>
        <span class="author">记者：陈思远</span>
        <time datetime="2024-06-18">2024-06-18 10:32</time>
      </div>
      <div class="text">
        <p>企服观察网6月18日讯　6月17日，云桥研究院在上海发布《2024中国SaaS客户成功调研报告》。报告基于对416家SaaS企业的问卷调查，以及5,870名企业客户侧用户的评价数据，系统梳理了国内SaaS行业客户成功体系的建设现状。</p>
        <p>从样本构成看，受访企业覆盖CRM、协同办公、财税、人力资源和营销服务等主要细分领域，其中以中小企业为主要客群的企业占61%，年营收超过1亿元的企业占28%。客户侧受访者既包括采购决策者，也包括每天使用系统的一线员工，这使报告能够同时比较“买的人”和“用的人”对服务的评价。</p>
        <p>调研显示，受访SaaS企业的净推荐值（NPS）中位数为18，头部四分之一企业的NPS达到41，而尾部四分之一企业的NPS则为负值。云桥研究院首席分析师许文博表示：“国内SaaS客户的推荐意愿仍然偏低。很多企业把客户成功等同于售后客服，而没有把它当作驱动续费和增购的核心职能。”</p>
        <p><strong>专职团队增加，但人均负荷偏重</strong></p>
        <p>报告显示，设有专职客户成功团队的企业占57%，较2022年的上一期调研明显增加。在这些企业中，每位客户成功经理（CSM）负责的客户数中位数为36家：服务大客户的CSM通常只负责10家以内，而面向中小客户的CSM则可能同时跟进上百家客户。</p>
        <p><strong>响应越快，留存越高</strong></p>
        <p>客户侧数据显示，服务响应速度是影响续费意愿最显著的因素之一。首次响应时间在2小时以内的企业，其净收入留存率（NRR）平均为112%；首次响应超过24小时的企业，NRR平均仅为93%。整体来看，受访企业的年度毛收入留存率（GRR）平均为86%。</p>
        <p>定期开展季度业务回顾（QBR）的企业，年度客户流失率为9%，没有开展QBR的企业则为17%。许文博认为，QBR的价值不在于汇报数据，而在于让客户的业务负责人重新确认“这套系统为我解决了什么问题”。</p>
        <p>客户侧数据还揭示了一个容易被忽视的现象：续费决策越来越受到一线使用者的影响。在客户侧受访的采购决策者中，有66%表示续费时会参考一线员工对系统的使用评价。也就是说，即便采购负责人对厂商关系满意，如果一线员工觉得系统难用、问题得不到及时解决，续费同样可能受阻。报告因此建议，客户成功团队不能只维护与采购负责人的关系，还要关注真实使用者的体验，例如定期收集使用反馈、为新员工提供入职培训等。</p>
        <p>在考核方式上，把续费率作为客户成功经理首要考核指标的企业占45%，而把NPS纳入考核的企业仅占19%。报告指出，只考核续费容易让团队把精力集中在合同到期前的“临门一脚”，而忽视日常的使用辅导；把客户反馈指标纳入考核，有助于团队更早发现问题。与此相关的是反馈闭环：在收到贬损者反馈后，能在7天内完成回访的企业只占33%。</p>
        <p><strong>实施周期过长是头号流失原因</strong></p>
        <p>在已流失客户中，“实施与上线周期过长”是被提及最多的流失原因，占44%；其次是“功能与业务流程不匹配”（35%）和“价格或预算调整”（22%）。报告建议，SaaS企业应把客户成功前置到售前与实施阶段，为每个新客户设定清晰的“首次价值时间”目标，即从签约到客户第一次在业务中借助产品取得可感知成果所需的时间。</p>
        <p>报告还发现，已建立客户健康度评分体系的企业占48%。所谓客户健康度评分，是综合产品活跃度、工单数量、关键功能使用率和续约意向等指标，为每个客户给出的0至100分风险评分，用于提前识别流失风险。</p>
        <p>报告同时提醒，健康度评分并不是越复杂越好。不少企业在评分模型中堆砌了几十项指标，最终客户成功经理既看不懂、也不信任评分结果。效果较好的做法是先从少数几项与流失高度相关的信号入手，再根据实际流失案例逐步校准。</p>
        <p><strong>AI助手普及，满意度仍落后于人工</strong></p>
        <p>在工具方面，39%的受访企业已在客户服务环节引入AI智能助手，主要用于工单分类和知识库问答。不过，客户侧用户对AI助手的满意度为51%，明显低于对人工客服的满意度（74%）。报告认为，AI更适合承担信息检索和工单分派，复杂问题仍需要由熟悉客户业务的人工处理。</p>
        <p>对于行业下一阶段的发展，许文博在发布会上给出了三点判断：一是客户成功将从“救火队”转向“增长团队”，更多企业会让客户成功部门承担增购和交叉销售目标；二是数据驱动的健康度管理将成为标配，客户成功经理的工作方式会从“凭感觉打电话”变为“按信号采取行动”；三是中小客户的服务将更多依赖自助化和社群运营，以降低单客户服务成本。</p>
        <p>多位与会的企业代表也认为，国内SaaS行业正在从“拼获客”转向“拼留存”。一位协同办公厂商的客户成功负责人表示，过去团队的主要精力放在上线培训上，现在则要求客户成功经理每季度至少与客户的业务负责人面对面沟通一次，了解客户业务目标的变化。</p>
        <p>据悉，报告全文可在云桥研究院官网申请下载。</p>
      </div>
      <div class="editor">责任编辑：王蕾</div>
      <div class="article-tags">标签：<a href="/tag/saas">SaaS</a> <a href="/tag/csm">客户成功</a> <a href="/tag/nps">NPS</a></div>
    </div>

    <div class="comment-box" id="comments">
      <div class="comment-title">网友评论（5）<a class="post-comment" href="#reply">我要评论</a></div>
      <div class="comment">
        <div class="c-head"><span class="c-user">云端老张</span> <span class="c-time">2024-06-18 12:05</span></div>
        <p class="c-text">我们公司的问卷回收率只有 12%，样本这么少，算出来的NPS根本不敢拿去跟老板汇报。</p>
        <div class="c-foot">赞(23) 回复</div>
      </div>
      <div class="comment">
        <div class="c-head"><span class="c-user">CSM小林</span> <span class="c-time">2024-06-18 13:41</span></div>
        <p class="c-text">我们团队 63% 的人都是从销售转岗过来的，做客户成功总带着一股卖货的味道，客户也能感觉到。</p>
        <div class="c-foot">赞(17) 回复</div>
      </div>
      <div class="comment">
        <div class="c-head"><span class="c-user">数字化老兵</span> <span class="c-time">2024-06-18 15:20</span></div>
        <p class="c-text">人均36家算少的了，我们这边一个CSM要跟 120 家客户，首次响应能做到4小时就谢天谢地。</p>
        <div class="c-foot">赞(9) 回复</div>
      </div>
      <div class="comment">
        <div class="c-head"><span class="c-user">Lily_SaaS</span> <span class="c-time">2024-06-18 19:02</span></div>
        <p class="c-text">我司去年的续约率掉到了 78%，主要是客户预算砍了，跟体验关系不大。</p>
        <div class="c-foot">赞(5) 回复</div>
      </div>
      <div class="comment">
        <div class="c-head"><span class="c-user">路过的产品经理</span> <span class="c-time">2024-06-19 09:13</span></div>
        <p class="c-text">我们上线健康度评分以后，提前三个月预警的流失客户里有 31% 被挽回了，强烈推荐大家做。</p>
        <div class="c-foot">赞(12) 回复</div>
      </div>
      <div class="comment-form" id="reply"><textarea placeholder="文明上网，理性发言"></textarea><button>发表评论</button></div>
    </div>
  </div>

  <div class="right-col">
    <div class="hot-box">
      <h3>热门推荐</h3>
      <ul>
        <li><a href="/news/1001.html">低代码平台进入洗牌期，头部厂商市占率已超过 30%</a></li>
        <li><a href="/news/1002.html">企业微信生态报告：私域客服接入率达 58%</a></li>
        <li><a href="/news/1003.html">HR SaaS 融资降温，这三家公司逆势扩张</a></li>
        <li><a href="/news/1004.html">专访某CRM厂商CEO：出海是第二增长曲线</a></li>
        <li><a href="/news/1005.html">财税SaaS价格战背后：获客成本一年上涨 27%</a></li>
      </ul>
    </div>
    <div class="ad-box"><a href="/ad/kefu-trial">【广告】智能客服系统免费试用30天，开通即送坐席培训</a></div>
    <div class="follow-box">扫码关注企服观察网公众号，每日推送SaaS行业快讯</div>
  </div>
</div>

<div class="footer">
  <div class="footer-links"><a href="/about">关于我们</a> | <a href="/contact">联系我们</a> | <a href="/ads">广告合作</a> | <a href="/join">加入我们</a> | <a href="/sitemap">网站地图</a></div>
  <p>Copyright © 2015-2024 企服观察网 All Rights Reserved　京ICP备20240618号</p>
  <p>本站所刊登的各种新闻、信息和专栏资料，均为企服观察网版权所有，未经协议授权禁止下载使用。</p>
</div>
</body>
</html>
"""


# ---------------------------------------------------------------------------
# c. airline-tw-blog.html  (traditional Chinese)
# ---------------------------------------------------------------------------
AIRLINE_TABLE = {
    "caption": "表一　不同類型航空公司的旅客體驗指標",
    "header": ["航空類型", "樣本數", "整體滿意度", "NPS"],
    "rows": [
        ["全服務航空", "1,320", "79%", "+28"],
        ["低成本航空", "610", "63%", "-11"],
        ["區域航線", "220", "70%", "+6"],
    ],
}


def airline():
    return f"""<!DOCTYPE html>
<html lang="zh-TW">
<head>
  <meta charset="utf-8">
  <title>2024 臺灣旅客航空體驗調查：準點之外，旅客更在意什麼？｜旅人數據筆記</title>
  <meta name="author" content="林怡君">
  <link rel="stylesheet" href="/wp-content/themes/notebook/style.css">
</head>
<body class="post-template-default single">
  <header id="masthead" class="site-header">
    <div class="site-branding"><a href="/" class="site-title">旅人數據筆記</a><p class="site-description">用數據看懂旅行這件事</p></div>
    <nav id="site-navigation" class="main-navigation">
      <ul>
        <li><a href="/">首頁</a></li>
        <li><a href="/category/airline/">航空觀察</a></li>
        <li><a href="/category/airport/">機場攻略</a></li>
        <li><a href="/category/data/">數據專欄</a></li>
        <li><a href="/about/">關於我</a></li>
        <li><a href="/contact/">合作邀約</a></li>
      </ul>
    </nav>
    <form class="search-form" action="/" method="get"><input type="search" name="s" placeholder="搜尋文章…"><button type="submit">搜尋</button></form>
  </header>

  <div id="content" class="site-content">
    <div id="primary" class="content-area">
      <article id="post-2187" class="post type-post">
        <header class="entry-header">
          <h1 class="entry-title">2024 臺灣旅客航空體驗調查：準點之外，旅客更在意什麼？</h1>
          <div class="entry-meta"><span class="byline">作者：林怡君｜2024年9月5日</span></div>
          <div class="post-views">瀏覽次數 3,482</div>
        </header>
        <div class="entry-content">
          <p>每次聊到航空公司的顧客體驗，大家第一個想到的往往是準點率。不過，今年我和幾位研究夥伴一起做了一份旅客問卷，結果發現準點只是基本門檻，真正拉開差距的，是航班出狀況的時候，航空公司怎麼溝通、怎麼補救。</p>

          <h2>調查怎麼做</h2>
          <p>這份調查於2024年6月至7月以線上問卷進行，共回收2,150份有效問卷，受訪者都是過去一年內至少搭乘過一次國內或國際航班的臺灣旅客。問卷涵蓋訂位、報到、登機、機上服務、行李以及客訴處理等環節，最後也請受訪者留下開放式意見。</p>
          <p>為了讓結果更貼近一般旅客的經驗，我們依照性別與年齡對樣本做了加權。受訪者中約有六成最近一次搭乘的是國際航線，其餘為國內或離島航線；以商務目的出行的旅客大約占四分之一。</p>
          <p>整體而言，受訪旅客對最近一次航班的滿意度為74%。如果依照航空公司類型拆開來看，差距相當明顯：</p>
{html_table(AIRLINE_TABLE, "          ")}
          <p>全服務航空的表現仍然最穩定；低成本航空的淨推薦值則是負數，不少受訪者提到「票價便宜，但加購項目一路加下去，最後也沒有比較便宜」。</p>

          <p>訂位環節也是低成本航空失分的地方。有43%的受訪者表示，曾經在訂位流程的最後一步才發現行李、選位或刷卡手續費等額外費用，這類「最後一刻才出現的價格」是開放題中最常被抱怨的項目之一。</p>

          <h2>延誤時的溝通，才是關鍵</h2>
          <p>有31%的受訪者表示，最近一次航班曾經延誤超過30分鐘。而在這些遇到延誤的旅客中，只有46%在延誤發生後主動收到航空公司的簡訊或App推播通知；其餘的人多半是在登機門看到螢幕，或是從其他旅客口中才得知。沒有收到主動通知的旅客，滿意度比有收到的旅客低了將近20個百分點。</p>
          <p>當我們請受訪者從十二個項目中選出最重要的三項時，排名前三的是「座位舒適度」、「延誤資訊是否即時透明」以及「行李處理速度」，準點率反而排在第四。換句話說，旅客可以接受偶爾的延誤，但很難接受被蒙在鼓裡。</p>

          <p>我自己在航空公司客服部門工作時，最常聽到的一句話就是「你們早點講就好了」。旅客生氣的往往不是延誤本身，而是在登機門前苦等卻沒有人說明原因、也不知道下一步該怎麼辦。這次調查的數字，某種程度上印證了當年第一線同事的感受。</p>
          <p>行李方面，旅客在抵達後等候託運行李的平均時間為22分鐘。受訪者普遍能接受這個等候時間，但如果行李轉盤旁沒有清楚的航班與預估時間顯示，等待的感受就會明顯變差。</p>

          <h2>數位服務普及，客訴處理仍是弱項</h2>
          <p>線上報到已經相當普及，有81%的受訪者最近一次是透過App或官網完成報到。不過在客訴處理上，表現就沒有那麼亮眼：在曾經向航空公司提出申訴的旅客中，7天內獲得實質回覆的比例只有59%。許多受訪者在開放題中提到，客服信件「回得很制式」，讀起來像是罐頭回覆。</p>
          <p>機上服務方面，機上餐飲的滿意度為52%，是所有環節中最低的一項；相較之下，空服員服務態度的滿意度高達85%。另外，加入常客計畫的旅客，表示「下次還會選擇同一家航空公司」的比例是非會員的1.7倍，顯示會員經營仍然是留住旅客的重要工具。</p>
          <p>值得一提的是，不同年齡層對數位服務的態度差異很大。年輕旅客普遍希望全程用App完成，從報到、選位到行李追蹤都不想排隊；年長旅客則更在意櫃檯是否有人可以詢問，不少人在開放題中寫下「希望不要把櫃檯全部換成機器」。航空公司在推動自助化的同時，仍需保留足夠的人工服務作為後盾。</p>
          <p>機上娛樂與網路則是另一個正在拉開差距的項目。搭乘長程航班的受訪者中，不少人把「機上能不能上網」列為選擇航空公司時的考量之一；至於短程航線，旅客更在意的是座位間距與登機速度。對航空公司來說，與其在每一個環節平均投入，不如依照航線特性，把資源放在旅客真正在意的地方。</p>

          <h2>給航空公司的三個建議</h2>
          <p>第一，把延誤通知當成一項正式的服務流程來設計，而不是臨時的廣播；第二，客訴回覆要能回應旅客的具體狀況，並明確告知補償方式與時程；第三，低成本航空應該在訂位流程一開始就把加購費用講清楚，避免旅客在最後一步才感覺被「加價」。</p>
          <p>這份調查還有不少細節，例如不同年齡層對自助行李托運的接受度，我會在之後的文章繼續整理。如果你也有印象深刻的搭機經驗，不論好壞，都歡迎寫信告訴我，說不定會成為下一次調查的題目。</p>
        </div>
        <footer class="entry-footer">
          <div class="share-box">分享這篇文章：<a href="#">Facebook</a>｜<a href="#">LINE</a>｜<a href="#">複製連結</a></div>
          <div class="author-box">
            <h4>關於作者</h4>
            <p>林怡君，前航空公司客服主管，現為獨立顧客體驗研究者，喜歡在轉機的空檔觀察機場裡的每一個服務細節。</p>
          </div>
        </footer>
      </article>
      <nav class="post-navigation"><a href="/2024/08/airport-lounge/">← 上一篇</a> <a href="/2024/09/rail-pass/">下一篇 →</a></nav>
    </div>

    <aside id="secondary" class="widget-area">
      <section class="widget widget_tag_cloud">
        <h2 class="widget-title">標籤雲</h2>
        <div class="tagcloud"><a href="/tag/airline/">#航空</a> <a href="/tag/nps/">#NPS</a> <a href="/tag/airport/">#機場攻略</a> <a href="/tag/survey/">#問卷調查</a> <a href="/tag/rail/">#高鐵</a> <a href="/tag/lounge/">#貴賓室</a></div>
      </section>
      <section class="widget widget_popular_posts">
        <h2 class="widget-title">熱門文章</h2>
        <ul>
          <li><a href="/2024/07/hsr-survey/">高鐵旅客滿意度連三年上升，今年來到88%</a></li>
          <li><a href="/2024/08/airport-lounge/">桃園機場貴賓室評比：哪一間最值得進去？</a></li>
          <li><a href="/2024/05/seat-guide/">長程航班選位全攻略</a></li>
        </ul>
      </section>
      <section class="widget widget_newsletter"><h2 class="widget-title">訂閱電子報</h2><p>每月一封，整理最新的旅行數據。</p></section>
    </aside>
  </div>

  <footer id="colophon" class="site-footer">
    <p>© 2024 旅人數據筆記 版權所有｜本站文章未經授權請勿轉載</p>
    <p>Powered by WordPress｜主題：Notebook</p>
  </footer>
</body>
</html>
"""


DOCS = {
    "retail-cx-blog.html": retail,
    "saas-nps-news.html": saas,
    "airline-tw-blog.html": airline,
}


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    for name, fn in DOCS.items():
        path = OUT / name
        path.write_bytes(fn().encode("utf-8"))
        print(f"wrote {path.relative_to(OUT.parent.parent) if OUT.parent.parent in path.parents else path}")


if __name__ == "__main__":
    main()
