"""What people say: conversation scripts per kind of chat, fillers, and compliance material.

Plain data in the notation of `scripts`; placeholders are filled per conversation by
`generator`. The scripts are ordinary commerce on purpose: the risky material (personal data,
conduct, negotiation) is a small share, as in a real archive, so alerts stand out.
"""

from __future__ import annotations

from typing import Final

from atalaia.demo.scripts import parse_step, scenarios

# (product, lowest price, highest price) in reais
PRODUCTS: Final = (
    ("notebook Dell Inspiron 15", 3200, 4800), ("monitor LG 24 polegadas", 750, 1100),
    ("cadeira de escritório ergonômica", 890, 1700), ("impressora multifuncional Epson", 1100, 1900),
    ("kit teclado e mouse sem fio", 120, 260), ("roteador Wi-Fi 6", 380, 720), ("nobreak 1500VA", 900, 1500),
    ("toner HP 85A", 180, 320), ("HD externo 1TB", 300, 480), ("caixa de papel A4 (10 resmas)", 240, 330),
    ("webcam Full HD", 220, 450), ("headset com microfone", 150, 390), ("mesa em L para escritório", 800, 1400),
    ("cafeteira industrial", 1300, 2600), ("projetor Epson", 2800, 4200), ("switch 24 portas", 900, 1600),
)  # fmt: skip
CITIES: Final = (
    "Niterói", "Campinas", "Belo Horizonte", "Curitiba", "Porto Alegre", "Salvador", "Recife", "Fortaleza",
    "Goiânia", "Vitória", "Florianópolis", "Manaus", "Belém", "Juiz de Fora", "Santos", "Ribeirão Preto",
)  # fmt: skip
STREETS: Final = (
    "Rua das Laranjeiras", "Av. Paulista", "Rua XV de Novembro", "Av. Afonso Pena", "Rua da Bahia",
    "Av. Brasil", "Rua Voluntários da Pátria", "Av. Sete de Setembro", "Rua Augusta", "Av. Getúlio Vargas",
)  # fmt: skip
WEEKDAYS: Final = ("segunda", "terça", "quarta", "quinta", "sexta")

SALES: Final = scenarios({
    "orcamento": (3.0, (
        "c {saudacao}! Vi o anúncio de vocês, qual o valor do {produto}? | Oi, quanto tá o {produto}?"
        " | Olá! Vocês têm {produto}? Qual o preço?",
        "e {saudacao}, {cliente}! Aqui é {atendente}, da Exemplo 😊 O {produto} está saindo por R$ {valor} à vista.",
        "c> E no cartão? | Parcela? | No cartão fica quanto?",
        "e No cartão fica em até 10x sem juros de R$ {parcela}.",
        "c? Tem pronta entrega?",
        "e? Temos sim! Consigo entregar até {data}.",
        "c Vou pensar e te retorno | Vou ver com meu sócio e te falo | Ok, obrigado!",
        "e? Fico à disposição! 😉",
    )),
    "pedido": (2.5, (
        "c {saudacao}! Quero fechar {qtd} unidades do {produto} | {saudacao} {atendente}, pode fechar {qtd} {produto}",
        "e Ótimo, {cliente}! Segue a proposta com as condições 📄",
        "e[doc=proposta]",
        "c? Pode emitir a nota no {doc_tipo} {doc_cliente}",
        "e Pedido {pedido} registrado! Prazo de entrega: {prazo} dias úteis.",
        "c[comprovante] Pix feito | Segue o comprovante",
        "e> Recebido, obrigado! 🙏 | Confirmado, obrigado pela preferência!",
    )),
    "negociacao": (1.2, (
        "c {atendente}, recebi uma proposta da concorrência {pct}% mais barata"
        " | Tá caro, recebi uma proposta da concorrência bem melhor",
        "c Consegue um desconto? | Consegue cobrir?",
        "e Deixa eu ver com meu gestor e já te falo",
        "e Consegui {desconto}% de desconto à vista, fica R$ {total}",
        "c> Fechado então | Vou pensar | Ainda tá acima, consegue mais?",
        "e? Combinado! Te mando o boleto",
    )),
    "followup": (1.5, (
        "e Oi {cliente}, tudo bem? Conseguiu ver a proposta que te enviei?"
        " | {saudacao}, {cliente}! Passando para saber se ficou alguma dúvida sobre o orçamento",
        "c Oi! Ainda não, vejo hoje | Vejo hoje à noite | Ainda não deu, amanhã te falo",
        "c?[ptt]",
        "e Sem problemas, fico no aguardo 😊 | Ok! Qualquer dúvida me chama",
    )),
    "catalogo": (1.0, (
        "c Oi, me manda o catálogo por favor | Vocês têm catálogo?"
        " | {saudacao}! Pode me enviar o catálogo de produtos?",
        "ef[doc=catalogo] Segue nosso catálogo atualizado",
        "c Obrigado! | Valeu | 👍",
    )),
    "visita": (0.8, (
        "e {saudacao}, {cliente}! Posso passar aí {dia} às {hora} para mostrar as novidades?",
        "c Pode sim | {dia} não dá, pode ser na semana que vem?",
        "e Combinado, até lá! | Perfeito, te chamo antes",
        "c? Nosso endereço é {rua}, {numero}",
    )),
    "cancelamento": (0.6, (
        "c Quero cancelar o contrato de manutenção | Preciso cancelar o contrato",
        "e Poxa, {cliente}, posso saber o motivo?",
        "c Tá muito caro, a concorrência cobra menos | O atendimento deixou a desejar",
        "e Consigo um desconto de {desconto}% para você continuar com a gente",
        "c Vou pensar | Não, obrigado, pode cancelar",
    )),
    "frete": (1.0, (
        "c Quanto fica o frete pra {cidade}?",
        "e Para {cidade} fica R$ {frete} e chega em {prazo} dias úteis",
        "c> Ok | Tá caro o frete hein | Beleza",
    )),
})  # fmt: skip

AD_OPENING: Final = parse_step(
    "c Olá! Tenho interesse e queria mais informações. | Olá! Vi o anúncio e quero saber mais"
)

SUPPORT: Final = scenarios({
    "defeito": (2.5, (
        "c {saudacao}, comprei um {produto} e ele parou de funcionar | Oi, meu {produto} tá com defeito",
        "c[img] Olha como tá | Tá assim",
        "c?[vid]",
        "e {saudacao}, {cliente}! Sinto muito pelo transtorno. Pode me passar o número do pedido?",
        "c> {pedido}",
        "e Obrigado! Abri o chamado {protocolo}. Um técnico entra em contato em até 48h.",
        "c Ok, obrigado | Tá bom",
        "e? Qualquer coisa estou à disposição",
    )),
    "status": (1.5, (
        "c Alguma novidade do protocolo {protocolo}? | E aí, alguma previsão?",
        "e Oi {cliente}! Está em análise pela assistência, previsão {data}",
        "c Já faz uma semana... | Ok",
        "e? Entendo, vou pedir prioridade",
        "c? Se não resolver vou cancelar o contrato",
    )),
    "troca": (1.0, (
        "c Quero trocar o {produto}, veio com defeito | Veio errado o pedido {pedido}, quero trocar",
        "e Claro! Vou gerar a etiqueta de devolução",
        "e[doc=etiqueta] Segue a etiqueta, é só levar numa agência dos Correios",
        "c Recebi, obrigado",
    )),
    "audio": (1.2, (
        "c[ptt]",
        "c?[ptt]",
        "e Oi {cliente}, ouvi seu áudio. Vou verificar e te retorno",
        "e?[ptt]",
        "e Verifiquei aqui: o pedido {pedido} sai amanhã",
        "c 👍 | Obrigado!",
    )),
    "instalacao": (1.0, (
        "e Olá {cliente}, podemos agendar a instalação para {dia} às {hora}?",
        "c Pode ser | Melhor à tarde",
        "e Agendado! Protocolo {protocolo}",
        "c? Vocês têm meu endereço certo? {rua}, {numero}",
        "e? Isso mesmo, confirmado",
    )),
    "senha": (0.8, (
        "c Não consigo acessar o portal, esqueci a senha",
        "e Vou resetar. Qual seu e-mail de cadastro?",
        "c> {email}",
        "e Pronto, enviei o link para {email}",
        "c Consegui, obrigado!",
    )),
})  # fmt: skip

BILLING: Final = scenarios({
    "boleto": (2.0, (
        "c {saudacao}, pode me mandar a 2ª via do boleto? | Oi, perdi o boleto, manda de novo?",
        "e Claro! Segue",
        "e[doc=boleto]",
        "c Obrigado | 👍",
    )),
    "pix": (2.0, (
        "c Qual a chave pix de vocês?",
        "e Nossa chave PIX é o CNPJ {cnpj_empresa}",
        "c[comprovante] Pago | Feito, segue comprovante",
        "e> Confirmado ✅",
    )),
    "cobranca": (1.2, (
        "e Olá, {cliente}. Identificamos a fatura {nf} em aberto desde {data_passada}. Podemos ajudar?",
        "c Vou pagar sexta | Já paguei, vou mandar o comprovante | Vou ver com o financeiro",
        "e Combinado, obrigado!",
    )),
    "nota": (1.0, (
        "c Preciso da nota fiscal do pedido {pedido}",
        "e[doc=nf] Segue a NF-e",
        "c 👍",
    )),
    "parcelamento": (0.8, (
        "c Consigo parcelar o valor em aberto?",
        "e Consigo em até 3x no boleto",
        "c> Pode ser | Só em 3x? Pensei em 6",
    )),
})  # fmt: skip

SUPPLIER: Final = scenarios({
    "nota_fornecedor": (2.0, (
        "c {saudacao}! Segue a nota fiscal {nf} referente ao pedido {pedido}",
        "c[doc=nf]",
        "e Recebido, obrigado! Vai entrar no pagamento do dia {data}",
        "c> Perfeito",
    )),
    "pagamento_atrasado": (1.2, (
        "c {saudacao}, {atendente}. O pagamento da NF {nf} ainda não caiu, consegue verificar?",
        "e Vou verificar com o banco e te retorno",
        "e Foi pago ontem, segue o comprovante",
        "e[comprovante]",
        "c Obrigado!",
    )),
    "reajuste": (0.8, (
        "c Informamos reajuste de {pct}% na tabela a partir do mês que vem",
        "c[doc=tabela]",
        "e Recebido. Vamos analisar, mas esse reajuste tá alto",
        "c Consigo segurar metade se fecharem o pedido até sexta",
    )),
    "dados_bancarios": (0.4, (
        "c Atenção: nossos dados bancários mudaram. Novo: {conta}",
        "e Me manda em papel timbrado, por favor, por segurança",
        "c[doc=carta] Segue",
    )),
    "entrega": (1.0, (
        "c A entrega do lote {lote} sai amanhã cedo",
        "e Ótimo, obrigado pelo aviso",
    )),
})  # fmt: skip

TEAM_GROUP: Final = scenarios({
    "reuniao": (1.5, (
        "g {saudacao}, time! Reunião hoje às {hora} na sala 2 | Pessoal, reunião {dia} às {hora}, não faltem",
        "c {saudacao}! | Ok 👍",
        "c? Ok, estarei lá",
        "e Combinado, estarei lá",
    )),
    "pedido_duvida": (1.5, (
        "c Alguém sabe se o pedido {pedido} já saiu?",
        "e Saiu ontem, tá com a transportadora",
        "c> Valeu!",
    )),
    "meta": (0.8, (
        "g Parabéns pessoal, batemos a meta do mês! 🎉🎉",
        "c[sticker]",
        "e 👏👏👏",
        "c? Bora comemorar!",
    )),
    "meme": (1.0, (
        "cf[img]",
        "c 😂😂😂 | kkkkkkk",
        "e? kkkkkkkk",
    )),
    "corrente": (0.4, (
        "cF URGENTE!!! Repassem: a partir de segunda o WhatsApp vai cobrar R$ 0,37 por mensagem."
        " Envie para 10 contatos",
        "e Isso é fake, gente 😅",
    )),
    "cobertura": (0.8, (
        "c Alguém cobre meu cliente {cliente_nome} amanhã? Vou ao médico",
        "e Eu cubro, me passa o telefone dele",
        "c {telefone}",
    )),
})  # fmt: skip

SUPPLIER_GROUP: Final = scenarios({
    "tabela": (1.0, ("c {saudacao}! Segue tabela atualizada", "c[doc=tabela]", "e Obrigado!")),
    "prazo": (1.0, (
        "g Pessoal, precisamos das entregas do lote {lote} até sexta",
        "c Ok, vamos programar | Chega {dia} sem falta",
        "c? Entrega do lote {lote} atrasou por causa da chuva, chega {dia}",
    )),
    "cotacao": (0.8, (
        "e {saudacao}! Preciso de cotação de {qtd} caixas de papel A4 e {qtd} toners",
        "c Mando até o meio-dia",
        "c? Segue cotação",
        "c?[doc=cotacao]",
    )),
})  # fmt: skip

PROJECT_GROUP: Final = scenarios({
    "entrega_obra": (1.0, (
        "c {saudacao}! Quando chega o restante do pedido {pedido}?",
        "e {saudacao}! Previsão {data}",
        "c Precisamos na obra na segunda sem falta",
        "g Vamos priorizar, fiquem tranquilos",
    )),
    "fotos": (1.0, ("c[img] Chegou assim, caixa amassada", "c?[img]", "e Vou abrir a troca agora mesmo")),
    "contrato": (0.6, ("e[doc=contrato] Segue o contrato assinado", "c Recebido, obrigado")),
})  # fmt: skip

COLLEAGUE: Final = scenarios({
    "cobrir": (1.0, ("c {atendente}, consegue cobrir meu cliente amanhã? Vou ao médico", "e Consigo sim", "c Valeu!")),
    "contato": (1.0, (
        "e Me passa o telefone daquele cliente, o {cliente_nome}?",
        "c> {telefone}",
        "e Valeu",
    )),
    "desconto": (1.0, (
        "e Posso dar {desconto}% de desconto pro {cliente_nome}? Ele tá com proposta da concorrência",
        "c Pode, mas só à vista | Aprovado",
        "e 👍",
    )),
    "dados_cliente": (0.3, (
        "c Me manda o CPF do {cliente_nome} pra eu cadastrar?",
        "e {doc_cliente}",
        "c Obrigado",
    )),
})  # fmt: skip

PERSONAL: Final = scenarios({
    "almoco": (1.0, (
        "c Vc vem almoçar domingo? | Vem jantar hoje?", "e Vou sim! | Hoje não dá, tô enrolado", "c Traz o pão 😘",
    )),
    "atraso": (1.0, (
        "e Vou chegar mais tarde hoje, reunião | Tô saindo agora", "c De novo? 🙄 | Ok, vem com cuidado", "e ❤️",
    )),
    "futebol": (0.7, ("c Quinta tem jogo, confirma?", "e Confirmado ⚽", "c[sticker]")),
    "audio": (0.8, ("c[ptt]", "e?[ptt]", "e Já te ligo", "c?[ptt]")),
})  # fmt: skip

# Conduct risks: rare, but the reason the product exists.
CONDUCT_CUSTOMER: Final = scenarios({
    "por_fora": (1.0, (
        "c Consegue melhorar esse preço? Tá puxado",
        "e Olha, oficialmente não consigo mais que {desconto}%...",
        "e! Mas se vc topar, faço uma parte por fora, sem nota, e fica bem mais barato",
        "e Apaga essa mensagem por favor 🙏 | Apaga essa mensagem depois, blz?",
        "c Hum, vou pensar",
    )),
    "pix_pessoal": (1.0, (
        "e Pra agilizar pode fazer o pix direto na minha chave: {pix_pessoal}",
        "c Mas não é no CNPJ da empresa?",
        "e Pode ser no meu pix pessoal mesmo, depois eu repasso",
    )),
    "assedio": (0.5, (
        "e Oi {cliente}, tá acordada? 😏 | Você é muito linda, sabia?",
        "e! Me manda uma foto sua | Que tal a gente sair pra jantar depois que fechar o pedido?",
        "c Como é? Isso é o WhatsApp da empresa?",
        "e Desculpa, mensagem errada",
    )),
})  # fmt: skip
CONDUCT_SUPPLIER: Final = scenarios({
    "comissao": (1.0, (
        "c {atendente}, se vocês renovarem com a gente tem 3% pra você, a gente acerta por fora",
        "e Isso é propina, hein kkk. Me liga que a gente conversa",
        "c! Fica entre nós. Pode ser no seu pix pessoal",
        "e Apaga essa mensagem",
    )),
    "caixa_dois": (1.0, (
        "e Essa parte do pagamento entra no caixa dois, não lança no sistema",
        "c Entendido, mando a nota só do restante",
    )),
})  # fmt: skip
HARASSMENT_GROUP: Final = parse_step(
    "g Se não bater a meta essa semana vai todo mundo pra rua, bando de incompetentes"
    " | Vocês são uns inúteis, não sei por que ainda pago vocês"
)
EXFILTRATION: Final = parse_step("e[doc=planilha] Manda pro meu e-mail pessoal depois, vou trabalhar de casa")

FILLER_IN: Final = (
    "Obrigado!", "Obrigada!", "Ok", "👍", "Valeu", "Blz", "Perfeito", "Show", "Certo", "Tá bom", "Beleza, obrigado",
    "kkkk", "🙏", "Combinado",
)  # fmt: skip
FILLER_OUT: Final = (
    "Imagina!", "Disponha 😊", "Qualquer coisa estou à disposição", "Por nada!", "Às ordens", "Obrigado você!",
    "👍", "Combinado!",
)  # fmt: skip

# Personal data a customer sends (inbound) or an employee sends (outbound).
PII_IN: Final = (
    "Meu CPF é {cpf}", "CPF: {cpf_digits}", "Segue meu cpf pra nota {cpf}", "CNPJ para faturamento: {cnpj}",
    "Pode passar no cartão? {cartao} validade {validade} cvv {cvv}", "Meu e-mail é {email}",
    "Me liga nesse outro número: {telefone}", "Faz o estorno na minha chave pix {pix}",
    "Minha chave pix é {pix}", "Dados para reembolso: {conta}",
)  # fmt: skip
PII_OUT: Final = (
    "Confirmando seus dados: {cliente_nome}, CPF {cpf}, e-mail {email}",
    "O cartão {cartao} foi recusado, pode confirmar a validade?",
    "Seu cadastro: CPF {cpf}, telefone {telefone}",
    "Para o estorno, confirme a chave pix: {pix}",
    "Anotei aqui: cartão {cartao}, venc. {validade}",
)  # fmt: skip
NEGOTIATION_IN: Final = (
    "Consegue um desconto?", "Se não baixar vou cancelar o contrato", "Tenho uma proposta da concorrência mais barata",
    "Tem desconto à vista?",
)  # fmt: skip

# name -> (file name, lines of text); `planilha` and `tabela` are spreadsheets built in `values`.
DOCUMENTS: Final = {
    "proposta": ("proposta_{pedido}.pdf", (
        "Exemplo Comércio e Distribuição Ltda - CNPJ {cnpj_empresa}", "PROPOSTA COMERCIAL Nº {pedido}",
        "Cliente: {cliente_nome} - {doc_tipo} {doc_cliente}", "{qtd} x {produto} - R$ {valor} cada",
        "Total com desconto: R$ {total}", "Validade: 10 dias. Pagamento à vista ou em até 10x sem juros.",
    )),
    "catalogo": ("catalogo_exemplo_{ano}.pdf", (
        "Catálogo Exemplo {ano}", "Notebooks, monitores, impressoras, cadeiras e suprimentos de escritório",
        "Entrega para todo o Brasil - vendas@exemplo.com.br",
    )),
    "boleto": ("boleto_{nf}.pdf", (
        "Boleto bancário - Exemplo Comércio e Distribuição Ltda - CNPJ {cnpj_empresa}",
        "Pagador: {cliente_nome} - {doc_tipo} {doc_cliente}", "Vencimento: {data}/{ano}", "Valor: R$ {total}",
        "Linha digitável: 34191.79001 01043.510047 91020.150008 1 {nf}0000",
    )),
    "nf": ("NFe_{nf}.pdf", (
        "DANFE - Documento Auxiliar da Nota Fiscal Eletrônica", "NF-e Nº {nf} Série 1",
        "Destinatário: {cliente_nome} - {doc_tipo} {doc_cliente}", "{qtd} x {produto}", "Valor total: R$ {total}",
    )),
    "etiqueta": ("etiqueta_devolucao_{pedido}.pdf", (
        "Autorização de postagem - logística reversa", "Pedido {pedido}", "Remetente: {cliente_nome}",
    )),
    "contrato": ("contrato_assinado.pdf", (
        "CONTRATO DE FORNECIMENTO", "Contratante: {cliente_nome} - {doc_tipo} {doc_cliente}",
        "Contratada: Exemplo Comércio e Distribuição Ltda - CNPJ {cnpj_empresa}", "Assinado digitalmente",
    )),
    "carta": ("carta_dados_bancarios.pdf", ("Comunicado: alteração de dados bancários", "Novos dados: {conta}")),
    "cotacao": ("cotacao_{pedido}.pdf", ("Cotação nº {pedido}", "{qtd} caixas de papel A4 - R$ {valor}")),
    "planilha": ("planilha_clientes.xlsx", ()),
    "tabela": ("tabela_precos_{mes}.xlsx", ()),
}  # fmt: skip
